"""The one job base (core.models.Job): the bulk user import and the gateway's connect job share its
fields, their tables and columns stay what the migrations made, and each says when it is over and
how far it got."""

import pytest
from django.db import connection

from accounts.models import UserImportJob
from core.models import Job
from gateways.models import ConnectJob

SHARED = {
    "job_id": "job_id",
    "created_by": "created_by_id",
    "error": "error",
    "created_at": "created_at",
    "started_at": "started_at",
    "finished_at": "finished_at",
}


@pytest.mark.parametrize(
    ("model", "table"), [(UserImportJob, "accounts_userimportjob"), (ConnectJob, "gateways_connectjob")]
)
def test_both_jobs_are_a_job_and_keep_their_tables_and_columns(db, model, table):
    assert issubclass(model, Job) and Job._meta.abstract and model._meta.db_table == table
    assert {name: model._meta.get_field(name).column for name in SHARED} == SHARED
    with connection.cursor() as cursor:
        columns = {column.name for column in connection.introspection.get_table_description(cursor, table)}
    assert set(SHARED.values()) <= columns
    assert model._meta.ordering == ["-created_at", "-pk"]


@pytest.mark.parametrize(
    ("status", "finished"),
    [
        ("preview", False),
        ("pending", False),
        ("running", False),
        ("done", True),
        ("failed", True),
        ("cancelled", True),
    ],
)
def test_an_import_is_over_when_done_failed_or_cancelled(status, finished):
    assert UserImportJob(status=status).is_finished is finished


@pytest.mark.parametrize(
    ("status", "finished"), [("pending", False), ("running", False), ("connected", True), ("failed", True)]
)
def test_a_connect_job_is_over_when_connected_or_failed(status, finished):
    assert ConnectJob(status=status).is_finished is finished


def test_an_import_counts_its_progress_in_rows():
    job = UserImportJob(status="running", total_rows=8, processed_rows=3)

    assert job.percent == 37
    assert UserImportJob(status="pending", total_rows=0).percent == 0
    assert UserImportJob(status="done", total_rows=8, processed_rows=3).percent == 100


def test_a_connect_job_counts_its_progress_in_steps():
    assert [ConnectJob(status="running", step=step).percent for step in ("queued", "session", "closing")] == [
        5,
        50,
        90,
    ]
    assert ConnectJob(status="failed", step="session").percent == 100


def test_every_job_model_names_its_final_states_among_its_own():
    for model in (UserImportJob, ConnectJob):
        assert model.FINISHED and set(model.FINISHED) <= set(model.Status.values)
