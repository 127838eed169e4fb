"""Stage cache keys follow the code a stage really uses."""

from __future__ import annotations

from geodata.build import pipeline


def test_a_stage_key_covers_every_module_it_imports_transitively():
    closure = pipeline.module_closure("geodata.build.base")
    # base -> model.basegeo -> model.coverage -> vocab; basegeo -> schema
    assert {
        "geodata/build/base.py",
        "geodata/model/basegeo.py",
        "geodata/model/coverage.py",
        "geodata/vocab.py",
        "geodata/schema.py",
    } <= closure
    assert not any(path.startswith(("layers/", "pages/")) for path in closure)


def test_the_code_digest_changes_with_a_data_file_and_is_stable(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("a\n1\n", encoding="utf-8")
    first = pipeline.code_digest("geodata.build.facts", table)
    assert first == pipeline.code_digest("geodata.build.facts", table)
    table.write_text("a\n2\n", encoding="utf-8")
    assert pipeline.code_digest("geodata.build.facts", table) != first
