"""`manage.py practicum_simulate`: a practicum run's simulated clock on the command line
(PRODUCT.md, "Interface contracts").

    practicum_simulate --run <id> --days N [--json]   play N days with `run_day_play`
    practicum_simulate --run <id> --replay [--json]   regenerate the recorded days and compare
    practicum_simulate --list [--json]                the runs

With `--json` the days come out as `{"run": id, "days": [{"day", "date", "orders",
"orders_digest"}, ...]}`: the digests depend on the seed and the teams' decisions only, never on
database ids or the process, so two databases built the same way can be compared day by day.

Bad input (an unknown run, N below 1, a run that is not running, more days than the project has
left) exits non-zero with one line on stderr before anything is played. Each day is its own
transaction: a day that fails stops the command after the days already played, which are
reported (stdout) before the error (stderr).
"""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count


def _positive(name, text):
    """Parse a whole-number option here rather than in argparse, so bad input is one line on stderr."""
    try:
        value = int(text)
    except (TypeError, ValueError):
        raise CommandError(f"--{name} must be a whole number, not {text!r}.") from None
    if value < 1:
        raise CommandError(f"--{name} must be 1 or more, not {value}.")
    return value


def _message(error: ValidationError) -> str:
    return " ".join(" ".join(error.messages).split())


class Command(BaseCommand):
    help = "Advance a practicum run's simulated clock by some days, list the runs, or replay a run's recorded days."

    def add_arguments(self, parser):
        parser.add_argument("--run", help="The id of the run (see --list).")
        parser.add_argument("--days", help="How many simulated days to play.")
        parser.add_argument("--replay", action="store_true",
                            help="Regenerate the run's recorded days from their inputs and report any mismatch.")
        parser.add_argument("--list", action="store_true", help="List the runs.")
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args, **options):
        as_json = options["json"]
        if options["list"]:
            if options["run"] is not None or options["days"] is not None or options["replay"]:
                raise CommandError("--list takes no --run, --days or --replay.")
            return self._list(as_json)
        if options["run"] is None:
            raise CommandError("Name a run with --run <id> (see --list), or list the runs with --list.")
        if options["replay"]:
            if options["days"] is not None:
                raise CommandError("--replay checks every recorded day; it takes no --days.")
            return self._replay(self._run(options["run"]), as_json)
        if options["days"] is None:
            raise CommandError("Say how many days to play with --days N (or use --replay).")
        days = _positive("days", options["days"])
        return self._play(self._run(options["run"]), days, as_json)

    # The run.

    def _run(self, text):
        from practicum.run_models import PracticumRun

        pk = _positive("run", text)
        run = PracticumRun.objects.select_related("project").filter(pk=pk).first()
        if run is None:
            raise CommandError(f"No practicum run has the id {pk} (see --list).")
        return run

    # Playing days.

    def _play(self, run, days, as_json):
        from practicum.run_models import PracticumRun
        from practicum.simulation import run_day_play

        if run.status != PracticumRun.Status.RUNNING:
            raise CommandError(
                f"Run {run.pk} is {run.get_status_display().lower()}, not running: start it before playing its days.")
        left = run.last_day_number - run.day
        if days > left:
            raise CommandError(
                f"Run {run.pk} has played {run.day} of its {run.last_day_number} days; {days} more would go past "
                f"the project's last day, {run.project.ends_on.isoformat()} ({left} left).")
        played = []
        try:
            for _ in range(days):
                played.append(run_day_play(run=run))
        except Exception as error:
            # The days played so far are committed (one transaction each): say what they were.
            message = _message(error) if isinstance(error, ValidationError) else f"{type(error).__name__}: {error}"
            number = played[-1].number + 1 if played else run.day + 1
            self._report_days(run, played, as_json, error=f"Day {number} failed: {message}")
            if isinstance(error, ValidationError):
                raise CommandError(f"Day {number} of run {run.pk} failed: {message} "
                                   f"({len(played)} of {days} days played).") from None
            raise
        self._report_days(run, played, as_json)

    def _report_days(self, run, played, as_json, *, error=None):
        if as_json:
            data = {"run": run.pk, "days": [_day_json(day) for day in played]}
            if error is not None:
                data["error"] = error
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        run.refresh_from_db(fields=["day"])
        self.stdout.write(f"Run {run.pk} {run.title!r} ({run.project.title}), seed {run.seed}")
        events = _events_by_day(run, [day.date for day in played])
        for day in played:
            moves = events.get(day.date, {})
            self.stdout.write(
                f"  day {day.number:>3}  {day.date.isoformat()}  orders {day.orders:>4}"
                f" ({moves.get('pay', 0)} paid, {moves.get('cancel', 0)} out of stock);"
                f" shipped {moves.get('ship', 0)}, delivered {moves.get('deliver', 0)},"
                f" released {moves.get('release', 0)}; digest {day.orders_digest}")
        if error is None:
            self.stdout.write(f"Played {len(played)} day(s); the run is at day {run.day} of {run.last_day_number}.")
        else:
            self.stdout.write(f"Played {len(played)} day(s), then stopped. {error}")

    # Replaying the recorded days.

    def _replay(self, run, as_json):
        from practicum.run_models import SimulationDay
        from practicum.simulation import simulation_day_replay

        rows, mismatches = [], 0
        for played in SimulationDay.objects.filter(run=run).order_by("number"):
            row = _day_json(played)
            try:
                orders, digest = simulation_day_replay(played=played)
            except ValidationError as error:
                row.update(replayed_orders=None, replayed_digest=None, match=False, error=_message(error))
            else:
                row.update(replayed_orders=orders, replayed_digest=digest,
                           match=(orders, digest) == (played.orders, played.orders_digest))
            mismatches += not row["match"]
            rows.append(row)
        if as_json:
            self.stdout.write(json.dumps({"run": run.pk, "days": rows, "mismatches": mismatches}, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(f"Run {run.pk} {run.title!r}: replaying {len(rows)} recorded day(s)")
            for row in rows:
                if row["match"]:
                    verdict = "ok"
                elif row.get("error"):
                    verdict = f"MISMATCH: {row['error']}"
                else:
                    verdict = (f"MISMATCH: replayed {row['replayed_orders']} orders, digest {row['replayed_digest']}")
                self.stdout.write(f"  day {row['day']:>3}  {row['date']}  orders {row['orders']:>4};"
                                  f" digest {row['orders_digest']}  {verdict}")
        if mismatches:
            raise CommandError(f"{mismatches} of the {len(rows)} recorded days of run {run.pk} do not replay to their record.")
        if not as_json:
            self.stdout.write("Every recorded day replays to its record.")

    # The runs.

    def _list(self, as_json):
        from practicum.run_models import PracticumRun

        runs = list(PracticumRun.objects.select_related("project").order_by("pk"))
        rows = [{
            "id": run.pk, "project": run.project.title, "title": run.title, "seed": run.seed, "day": run.day,
            "status": run.status, "date": run.date_of(run.day).isoformat() if run.day else None,
            "last_day": run.last_day_number,
        } for run in runs]
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write("No practicum runs.")
        for row in rows:
            played = f"day {row['day']}/{row['last_day']}" + (f" ({row['date']})" if row["date"] else "")
            self.stdout.write(f"{row['id']:>5}  {row['status']:<8}  {played:<24}  seed {row['seed']:<18}  "
                              f"{row['title']} · {row['project']}")


def _day_json(played) -> dict:
    return {"day": played.number, "date": played.date.isoformat(), "orders": played.orders,
            "orders_digest": played.orders_digest}


def _events_by_day(run, dates) -> dict:
    """{date: {event: count}} of the order moves recorded on the simulated days (one query)."""
    from practicum.run_models import OrderTransition

    if not dates:
        return {}
    counted = (OrderTransition.objects.filter(order__store__run=run, day__in=dates)
               .values_list("day", "event").annotate(count=Count("pk")).order_by())
    events: dict = {}
    for day, event, count in counted:
        events.setdefault(day, {})[event] = count
    return events
