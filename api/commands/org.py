"""``patrol import KIND FILE``, ``patrol export KIND FILE`` and ``patrol examples DIR``: the organisation
(sites, zones, buildings, units, staff, checkpoints, schedules) as Excel workbooks on the command line.
The command line acts as an administrator; every change is audited (without a user)."""
import sys

import click

from api.domain.orgrows import KINDS


def _result_lines(result):
    head = (f"{result['kind']}: {result['rows']} row(s) — created {result['created']}, updated {result['updated']}, "
            f"unchanged {result['unchanged']}")
    if result["dry_run"]:
        head += " (dry run: nothing written)"
    return head


@click.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row; write nothing.")
@click.option("--password", default=None, help="Staff: initial password of new accounts without one in the file.")
def import_cmd(kind, path, dry_run, password):
    """Import a workbook: every row checked, then all written or none (matched by 工号 / code, so the same
    file twice changes nothing)."""
    from api.audit import audit
    from api.commands import connect
    from api.domain import workbooks
    from api.domain.org import Actor

    if password is not None and len(password) < 8:
        raise click.BadParameter("at least 8 characters", param_hint="--password")
    connect()
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        _, rows, _ = workbooks.read_rows(kind, data)
    except workbooks.WorkbookError as exc:
        raise click.ClickException(f"{exc.zh} / {exc.en}")

    def _audit(action, object_type, object_id, site_id, before, after):
        audit(action, object_type, object_id, site_id=site_id, before=before, after=after)

    with click.progressbar(length=max(len(rows), 1), label=f"{kind}", show_pos=True,
                           file=sys.stderr) as bar:
        result = workbooks.import_workbook(kind, data, Actor.command_line(), dry_run=dry_run, password=password,
                                           audit_fn=_audit, progress=bar.update)
    for e in result["errors"]:
        click.echo(f"{e['sheet']} 第{e['row']}行 {e['column'] or '-'}列: {e['reason_zh']} / "
                   f"row {e['row']} column {e['column'] or '-'}: {e['reason']}", err=True)
    if result["errors"]:
        raise click.ClickException(f"{len(result['errors'])} 处问题，未导入任何数据 / "
                                   f"{len(result['errors'])} problem(s); nothing was imported")
    click.echo(_result_lines(result))


@click.command("export")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--site", "site_code", default=None, help="Only this site (code).")
def export_cmd(kind, path, site_code):
    """Write a list as a workbook that imports back unchanged (passwords are never exported)."""
    from api.commands import connect
    from api.domain import workbooks
    from api.domain.org import Actor
    from api.models import Site

    connect()
    actor = Actor.command_line()
    sites = actor.sites
    if site_code:
        site = Site.get_or_none(Site.code == site_code)
        if site is None:
            raise click.ClickException(f"no site {site_code}")
        sites = [site.id]
    with open(path, "wb") as fh:
        fh.write(workbooks.export(kind, sites, actor))
    click.echo(f"{kind} -> {path}")


@click.command("examples")
@click.argument("directory", type=click.Path(file_okay=False))
def examples_cmd(directory):
    """Write the example workbooks of one estate (sites zones buildings units staff checkpoints schedules
    .xlsx); import them in that order, staff with --password."""
    from api import examples

    for path in examples.copy_to(directory):
        click.echo(path)


commands = [import_cmd, export_cmd, examples_cmd]
command = import_cmd  # api.cli reads ``commands``; ``command`` keeps its look-up of the default working
