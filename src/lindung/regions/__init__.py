"""Regions: the Kemendagri list from province to desa/kelurahan."""
