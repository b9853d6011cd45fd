"""Spreadsheets both ways: imports of lawyers and stations, and a roster as a printable workbook."""
