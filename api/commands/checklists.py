"""``patrol checklists``: validate the checklist YAML, sync it into the database, make tasks."""
import click

from api.config import Config


def _dir(directory):
    return directory or Config().PATROL_CHECKLISTS_DIR


@click.group("checklists")
def command():
    """Checklists and schedules as data (checklists/*.yaml)."""


@command.command("validate")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=None,
              help="Directory of checklist YAML [default: PATROL_CHECKLISTS_DIR or checklists/].")
def validate_cmd(directory):
    """Print every problem as file:line: message; exit 1 if there is any."""
    from api.domain.checklists import load_dir, policy_problems

    directory = _dir(directory)
    cat = load_dir(directory)
    problems = cat.problems + policy_problems(directory)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.exceptions.Exit(1)
    schedules = sum(len(v) for v in cat.schedules.values())
    click.echo(f"ok: {len(cat.checklists)} checklists, {schedules} schedules in {directory}")


@command.command("sync")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=None,
              help="Directory of checklist YAML [default: PATROL_CHECKLISTS_DIR or checklists/].")
def sync_cmd(directory):
    """Store changed checklists as new versions and update the schedules (nothing if invalid)."""
    from api.audit import audit
    from api.commands import connect
    from api.domain.catalog_sync import sync
    from api.errors import Invalid

    connect()
    try:
        result = sync(_dir(directory), audit_fn=audit)
    except Invalid as exc:
        for problem in exc.fields.get("checklists", []):
            click.echo(problem, err=True)
        click.echo("nothing was stored", err=True)
        raise click.exceptions.Exit(1)
    for c in result["checklists"]:
        click.echo(f"checklist {c['checklist']}: {c['action']} (version {c['version']})")
    for s in result["schedules"]:
        what = f"{s['site']}/{s['schedule']}" if "schedule" in s else s["site"]
        click.echo(f"schedule {what}: {s['action']}" + (f" ({s['reason']})" if s.get("reason") else ""))


@command.command("tasks")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Local date to make tasks for [default: today in each site's time zone].")
def tasks_cmd(day):
    """Make a day's tasks for every site and mark overdue ones missed (run from cron)."""
    from api.commands import connect
    from api.domain.schedules import ensure_tasks, local_today, mark_missed
    from api.models import Site, utcnow

    connect()
    made = 0
    for site in Site.select().order_by(Site.id):
        d = day.date() if day else local_today(site.timezone)
        made += ensure_tasks(site, d)
    missed = mark_missed(utcnow())
    click.echo(f"{made} tasks made, {missed} marked missed")
