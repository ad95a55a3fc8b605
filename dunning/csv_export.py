"""CSV files for people: UTF-8 with a byte order mark (spreadsheets then read accents
right), comma-separated, dates in ISO form."""

import csv
import io


def csv_bytes(header, rows):
    """The CSV file of ``header`` and ``rows`` (lists of values), as bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            ["" if value is None or value is False else value for value in row]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


__all__ = ["csv_bytes"]
