"""`manage.py practicum_simulate` (PRODUCT.md, "Interface contracts"): playing days of a run,
listing the runs, replaying the recorded days, refusing bad input with one line, and the same
digests for the same seed and decisions in another run, another process and another database."""

import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from practicum.run_models import Listing, PracticumRun, SimulationDay
from practicum.simulation import run_day_play

DIGEST = re.compile(r"^[0-9a-f]{64}$")


def build_trading_run(*, seed="cli-seed", title="CLI cohort", organisation=None, mentor=None) -> PracticumRun:
    """A running run of the home goods project with one team that bought stock of two products
    and lists them live in Poland (DDP) and Kazakhstan (DAP). Also run in subprocesses by
    `test_the_same_run_built_in_two_processes_and_databases_gives_the_same_digests`, so it
    makes everything it needs: an approved enterprise and a platform admin as the mentor."""
    from academy.organisations.factories import OrganisationFactory
    from academy.organisations.models import Organisation
    from academy.people.factories import UserFactory
    from practicum.factories import home_goods_project
    from practicum.run_services import listing_save, participant_assign, run_create, run_update, stock_buy, team_create

    mentor = mentor or UserFactory(is_staff=True, is_superuser=True)
    organisation = organisation or OrganisationFactory(
        kind=Organisation.Kind.ENTERPRISE, status=Organisation.Status.APPROVED, name_en="Delta Export Works")
    project = home_goods_project(organisation=organisation, by=mentor, market_size=60)
    run = run_create(project=project, by=mentor, title=title, seed=seed, team_size_max=2)
    run = run_update(run=run, by=mentor, status=PracticumRun.Status.RUNNING)
    student = UserFactory()
    participant_assign(run=run, user=student, team=None, by=mentor)
    store = team_create(run=run, user=student, name="Team Amber").store
    products = {p.sku: p for p in project.products.all()}
    for sku in ("BOWL-PLA", "TEA-GREEN"):
        stock_buy(store=store, product=products[sku], quantity=40, by=student)
    listing_save(store=store, by=student, product=products["BOWL-PLA"], market="PL", price_minor=4500, incoterm="DDP",
                 channel="ECOM_LINE", status=Listing.Status.LIVE)
    listing_save(store=store, by=student, product=products["TEA-GREEN"], market="KZ", price_minor=700000,
                 incoterm="DAP", channel="ECOM_LINE", status=Listing.Status.LIVE)
    return run


def simulate(*args) -> str:
    out = StringIO()
    call_command("practicum_simulate", *[str(arg) for arg in args], stdout=out)
    return out.getvalue()


def simulate_json(*args):
    return json.loads(simulate(*args, "--json"))


# In one process, on the test database.


@pytest.mark.django_db
def test_days_are_played_and_reported_as_json():
    """`--run <id> --days 3 --json` plays three days and prints each day's number, simulated date,
    order count and sha256 orders digest, as recorded for the run."""
    run = build_trading_run()
    report = simulate_json("--run", run.pk, "--days", 3)
    run.refresh_from_db()
    assert run.day == 3
    assert set(report) == {"run", "days"} and report["run"] == run.pk
    assert [set(day) for day in report["days"]] == [{"day", "date", "orders", "orders_digest"}] * 3
    assert [(d["day"], d["date"]) for d in report["days"]] == [(1, "2026-09-01"), (2, "2026-09-02"), (3, "2026-09-03")]
    recorded = SimulationDay.objects.filter(run=run).order_by("number")
    assert [(d["orders"], d["orders_digest"]) for d in report["days"]] == [(p.orders, p.orders_digest) for p in recorded]
    assert all(DIGEST.match(d["orders_digest"]) for d in report["days"])
    assert sum(d["orders"] for d in report["days"]) > 0
    # The clock goes on from where it is.
    assert [d["day"] for d in simulate_json("--run", run.pk, "--days", 2)["days"]] == [4, 5]


@pytest.mark.django_db
def test_the_same_seed_and_decisions_give_the_same_digests_in_another_run():
    """Two runs with the same seed and the same team decisions print the same digests day by day;
    a run with another seed does not."""
    first, second = build_trading_run(seed="same"), build_trading_run(seed="same", title="Twin cohort")
    other = build_trading_run(seed="other", title="Other cohort")

    def digests(run):
        return [(d["date"], d["orders"], d["orders_digest"]) for d in simulate_json("--run", run.pk, "--days", 4)["days"]]

    same = digests(first)
    assert same == digests(second)
    assert [digest for _, _, digest in digests(other)] != [digest for _, _, digest in same]


@pytest.mark.django_db
def test_without_json_each_day_is_a_readable_line():
    """Without --json the command names the run and prints one line per day with its date,
    orders, the order moves of the day and the digest, then where the run's clock is."""
    run = build_trading_run()
    text = simulate("--run", run.pk, "--days", 2)
    lines = text.strip().splitlines()
    assert lines[0] == f"Run {run.pk} 'CLI cohort' ({run.project.title}), seed cli-seed"
    digests = list(SimulationDay.objects.filter(run=run).order_by("number").values_list("orders_digest", flat=True))
    assert lines[1].startswith("  day   1  2026-09-01") and lines[1].endswith(f"digest {digests[0]}")
    assert lines[2].startswith("  day   2  2026-09-02") and "shipped" in lines[2] and "out of stock" in lines[2]
    assert lines[3] == f"Played 2 day(s); the run is at day 2 of {run.last_day_number}."


@pytest.mark.django_db
def test_list_prints_every_run_with_its_project_seed_and_day():
    """`--list --json` is an array of the runs, each with id, project (its title), seed and days
    played, and its status and the date of the last day played; without --json, one line each."""
    played = build_trading_run(seed="listed-1")
    fresh = build_trading_run(seed="listed-2", title="Spring cohort")
    run_day_play(run=played)
    rows = simulate_json("--list")
    assert [row["id"] for row in rows] == [played.pk, fresh.pk]
    assert {key: rows[0][key] for key in ("id", "project", "seed", "day", "status", "date")} == {
        "id": played.pk, "project": played.project.title, "seed": "listed-1", "day": 1, "status": "running",
        "date": "2026-09-01"}
    assert (rows[1]["day"], rows[1]["date"]) == (0, None)
    text = simulate("--list").splitlines()
    assert len(text) == 2 and "listed-1" in text[0] and "day 1/" in text[0] and "Spring cohort" in text[1]


@pytest.mark.django_db
def test_replay_checks_the_recorded_days_and_fails_on_a_mismatch():
    """`--replay` regenerates every recorded day from its inputs: all match after honest play; a
    tampered digest or tampered inputs are reported per day and the command fails."""
    run = build_trading_run()
    simulate("--run", run.pk, "--days", 3)
    report = simulate_json("--run", run.pk, "--replay")
    assert report["mismatches"] == 0 and [d["match"] for d in report["days"]] == [True] * 3
    assert "Every recorded day replays to its record." in simulate("--run", run.pk, "--replay")

    SimulationDay.objects.filter(run=run, number=2).update(orders_digest="0" * 64)
    day3 = SimulationDay.objects.get(run=run, number=3)
    day3.inputs["seed"] = "forged"
    day3.save(update_fields=["inputs"])
    out = StringIO()
    with pytest.raises(CommandError, match="2 of the 3 recorded days"):
        call_command("practicum_simulate", "--run", str(run.pk), "--replay", "--json", stdout=out)
    days = json.loads(out.getvalue())["days"]
    assert [d["match"] for d in days] == [True, False, False]
    assert days[1]["replayed_digest"] != "0" * 64
    assert "do not match their digest" in days[2]["error"]


@pytest.mark.django_db
def test_a_day_that_fails_stops_the_command_and_the_days_played_are_reported(monkeypatch):
    """When the FX rows the simulation needs disappear before day 3, the command stops there:
    days 1 and 2 stay played and are printed, then a one-line error."""
    from practicum import simulation
    from practicum.models import FxRate

    run = build_trading_run()
    real = simulation.run_day_play
    calls = []

    def run_day_play_then_lose_the_rates(*, run):
        calls.append(run)
        if len(calls) == 3:
            FxRate.objects.filter(currency="PLN").delete()
        return real(run=run)

    monkeypatch.setattr(simulation, "run_day_play", run_day_play_then_lose_the_rates)
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("practicum_simulate", "--run", str(run.pk), "--days", "5", "--json", stdout=out)
    message = str(raised.value)
    assert "\n" not in message and message.startswith(f"Day 3 of run {run.pk} failed: ") and "(2 of 5 days played)" in message
    report = json.loads(out.getvalue())
    assert [d["day"] for d in report["days"]] == [1, 2] and report["error"].startswith("Day 3 failed")
    run.refresh_from_db()
    assert run.day == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--run", "999999", "--days", "1"], "No practicum run has the id 999999"),
        (["--run", "abc", "--days", "1"], "--run must be a whole number"),
        (["--run", "{run}", "--days", "0"], "--days must be 1 or more, not 0"),
        (["--run", "{run}", "--days", "-2"], "--days must be 1 or more"),
        (["--run", "{run}", "--days", "two"], "--days must be a whole number"),
        (["--run", "{run}"], "Say how many days to play"),
        (["--days", "1"], "Name a run with --run"),
        (["--run", "{run}", "--days", "2", "--replay"], "takes no --days"),
        (["--list", "--run", "{run}"], "--list takes no --run"),
        (["--run", "{open}", "--days", "1"], "is open for applications, not running"),
        (["--run", "{run}", "--days", "112"], "would go past the project's last day, 2026-12-20 (111 left)"),
    ],
)
def test_bad_input_is_refused_with_one_line_before_anything_is_played(args, message):
    """An unknown run, a count below 1 or not a number, a run that is not running, or more days
    than the project has left: a one-line CommandError, and no day is played."""
    run = build_trading_run()
    waiting = PracticumRun.objects.create(project=run.project, title="Waiting cohort", seed="waiting")
    args = [arg.format(run=run.pk, open=waiting.pk) for arg in args]
    with pytest.raises(CommandError) as raised:
        simulate(*args)
    assert message in str(raised.value) and "\n" not in str(raised.value)
    assert not SimulationDay.objects.exists()


@pytest.mark.django_db
def test_the_last_day_can_be_reached_but_not_passed():
    """With two days left, --days 2 plays them and a further --days 1 is refused."""
    run = build_trading_run()
    PracticumRun.objects.filter(pk=run.pk).update(day=run.last_day_number - 2)
    assert [d["date"] for d in simulate_json("--run", run.pk, "--days", 2)["days"]] == ["2026-12-19", "2026-12-20"]
    with pytest.raises(CommandError, match="0 left"):
        simulate("--run", run.pk, "--days", 1)


# Across processes and databases.


def _environment(database: Path, hash_seed: str) -> dict:
    env = {name: value for name, value in os.environ.items()
           if name not in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER", "DJANGO_SETTINGS_MODULE")}
    env.update(DJANGO_SETTINGS_MODULE="academy.settings.test", DATABASE_URL=f"sqlite:///{database}",
               PYTHONHASHSEED=hash_seed, ACADEMY_VAR_DIR=str(database.parent), LOG_LEVEL="ERROR")
    return env


def _manage(env, *args, check=True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, capture_output=True,
                            text=True, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args[:2])} exited {result.returncode}:\n{result.stderr[-3000:]}")
    return result


BUILD = (
    "from practicum.tests.test_simulate_command import build_trading_run; "
    "print('run-id', build_trading_run(seed='cross-process').pk)"
)


def _build_and_play(database: Path, hash_seed: str) -> dict:
    env = _environment(database, hash_seed)
    built = _manage(env, "shell", "-c", BUILD).stdout
    run_id = re.search(r"^run-id (\d+)$", built, re.MULTILINE).group(1)
    return json.loads(_manage(env, "practicum_simulate", "--run", run_id, "--days", "5", "--json").stdout)


@pytest.mark.django_db
def test_the_same_run_built_in_two_processes_and_databases_gives_the_same_digests(tmp_path):
    """The same project, run, team and decisions, built and played in two processes with
    different PYTHONHASHSEED, each on its own SQLite file chosen by DATABASE_URL, print the same
    five days of digests, and so does the same run played here on the test database (PostgreSQL
    in CI's PostgreSQL stage). From the command line, bad input exits 1 with one line on stderr."""
    migrated = tmp_path / "migrated.sqlite3"
    _manage(_environment(migrated, "0"), "migrate", "--noinput", "-v", "0")
    databases = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        databases.append(tmp_path / name / "db.sqlite3")
        shutil.copyfile(migrated, databases[-1])
    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(_build_and_play, databases, ["1", "4242"])

    def days(report):
        return [(d["day"], d["date"], d["orders"], d["orders_digest"]) for d in report["days"]]

    assert len(days(first)) == 5 and sum(d["orders"] for d in first["days"]) > 0
    assert days(first) == days(second)
    here = build_trading_run(seed="cross-process")
    assert days(simulate_json("--run", here.pk, "--days", 5)) == days(first)

    refused = _manage(_environment(databases[0], "1"), "practicum_simulate", "--run", "999999", "--days", "1", check=False)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.strip().splitlines() == ["CommandError: No practicum run has the id 999999 (see --list)."]
