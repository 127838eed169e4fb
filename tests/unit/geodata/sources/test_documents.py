"""The source documents are named by title, publisher and date, never by file name."""

from __future__ import annotations

import pandas as pd
import pytest

from geodata import config
from geodata.sources.documents import UNKNOWN, document_label, read_documents


def test_every_document_of_the_case_table_has_a_title_publisher_and_date():
    cases = pd.read_csv(config.curated_dir() / "cases.csv", dtype=str, keep_default_na=False)
    documents = read_documents()
    assert set(cases["source_file"]) - {""} <= set(documents.index)
    assert (documents[["title", "publisher", "date_label"]] != "").all().all()


def test_a_document_reads_as_title_publisher_date():
    label = document_label("003_ce370cc4e8c909c4.txt")
    assert label == (
        "Les territoires d'industrie réunis à Lyon (article), "
        "AdCF (Intercommunalités de France), mars 2019"
    )


@pytest.mark.parametrize(
    "cell, expected", [("", ""), (None, ""), (float("nan"), ""), ("999_inconnu.txt", UNKNOWN)]
)
def test_an_empty_or_unknown_cell_never_shows_a_file_name_or_nan(cell, expected):
    assert document_label(cell) == expected


def test_a_table_without_a_column_is_refused_naming_it(tmp_path):
    path = tmp_path / "documents.csv"
    path.write_text("source_file,title,publisher\na.txt,T,P\n")
    with pytest.raises(ValueError, match="date_label"):
        read_documents(path)
