"""The ``programmes`` stage on the real ANCT lists and the real base geography.

Reads the lists of the data directory: the snapshot shipped in ``opendata/`` unless
``ATLAS_DATA_DIR`` points elsewhere.
"""

from __future__ import annotations

import json

import pytest

from geodata import config
from geodata.build import programmes
from geodata.build.pipeline import BuildOptions

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def stage(real_build, tmp_path_factory):
    """run_programmes on the real build; outputs checked in memory, build/ left untouched."""
    out = tmp_path_factory.mktemp("programmes")
    (out / "communes.parquet").symlink_to(real_build / "communes.parquet")
    (out / "epci.parquet").symlink_to(real_build / "epci.parquet")
    opts = BuildOptions(out=out, data_dir=config.data_dir())
    return programmes.run_programmes(opts, log=lambda _: None)


def test_territoires_d_industrie_both_phases(stage):
    ti = stage.layers["ti"]
    assert ti["phase"].value_counts().to_dict() == {"2023-2027": 183, "2018-2022": 149}
    assert ti.geometry.notna().all() and ti.is_valid.all() and not ti.is_empty.any()
    assert (ti["area_km2"] > 0).all()
    simplified = stage.layers["ti_simplified"]
    assert len(simplified) == 332 and simplified.is_valid.all()


def test_acv_and_pvd_counts(stage):
    acv = stage.layers["acv"]
    assert (acv["phase"] == "2018").sum() == 245
    assert acv.loc[acv["phase"] == "2018", "id_acv"].nunique() == 232
    assert stage.report.lists["pvd"].rows == 1645


def test_every_row_is_placed_or_reported(stage):
    for name, entry in stage.report.lists.items():
        assert entry.status == "loaded", name
        assert entry.rows == entry.placed + entry.n_unplaced, name
        not_used = stage.report.problems_of(entry.file, severity="error")
        assert len({p.line for p in not_used}) == entry.n_unplaced, name
        assert all(p.line and p.reason and p.fix for p in not_used), name
    json.dumps(stage.report.as_dict())


def test_tiers_lieux_hold_no_contact_data(stage):
    tiers = stage.layers["tiers_lieux"]
    assert set(tiers["source"]) == {
        "Fabrique de territoire",
        "Manufacture de proximité",
        "Recensement 2019",
    }
    assert not tiers["web"].str.contains("@", regex=False).any()
    assert not {"MAIL", "EMAIL", "TEL", "ADRESSE"} & set(tiers.columns)


def test_acv_and_pvd_towns_know_their_territoire_d_industrie(stage):
    pvd = stage.layers["pvd"]
    assert (pvd["id_ti"] != "").sum() > 100
    ti = stage.layers["ti"]
    current = ti[ti["phase"] == "2023-2027"].set_index("id_ti")
    town = pvd[pvd["id_ti"] != ""].iloc[0]
    first = town["id_ti"].split(";")[0]
    assert first in current.index
    assert town["lib_ti"].split(";")[0] == current.loc[first, "lib_ti"]
    roanne = stage.layers["acv"].set_index("insee_com").loc["42187"]
    assert "Roannais" in roanne["lib_ti"]
