"""Claims: JKM and JKK from the accident report to the heir's payment, scholarships year by year."""
