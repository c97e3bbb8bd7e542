"""The ``patrol`` command line: migrate, serve, demo, up, users, and the groups in api.commands."""
import importlib
import os
import signal
import subprocess
import sys
import time

import click

from api.commands import connect
from api.db import db

COMMAND_MODULES = ["checklists", "checkpoints", "backup", "i18n", "org"]


def _app_or_exit():
    """create_app(), or the problems that stop it (file:line each) and exit 1."""
    from api.app import create_app
    from api.home import StartupProblems

    try:
        return create_app()
    except StartupProblems as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        raise click.ClickException("patrol cannot start until these are fixed.")


@click.group()
def cli():
    """patrol: rounds, inspections, work orders and deductions for property management."""


@cli.command("init")
def init_cmd():
    """Create the data home (PATROL_HOME, default ./var): settings, secret key, database, media,
    and an editable copy of the checklists and policy. Safe to run again: it never overwrites."""
    from api import home, migrations

    where = home.home_dir()
    made = home.init_home(where)
    app = _app_or_exit()
    with app.app_context():
        db.connect(reuse_if_open=True)
        applied = migrations.migrate_up()
        from api.audit import audit
        from api.domain.catalog_sync import sync
        from api.domain.policy import ensure_initial_policy
        ensure_initial_policy()
        # the checklists in the database, so checkpoints (imported or added) can offer them
        synced = sync(app.config["PATROL_CHECKLISTS_DIR"], audit_fn=audit)
    stored = [c for c in synced["checklists"] if c["action"] != "unchanged"]
    for name in made:
        click.echo(f"created {where / name}")
    if applied:
        click.echo(f"database {app.config['DATABASE_URL']}: applied {', '.join(applied)}")
    if stored:
        click.echo(f"checklists stored: {', '.join(c['checklist'] for c in stored)}")
    click.echo(f"data home {where} is ready"
               + ("" if made or applied or stored else " (nothing to do: it was already)"))


@cli.command()
@click.option("--down", "down_steps", type=int, default=0, help="Undo this many migrations instead.")
def migrate(down_steps):
    """Apply pending schema migrations (or undo the last ones with --down N)."""
    from api import migrations

    connect()
    if down_steps:
        for name in migrations.migrate_down(down_steps):
            click.echo(f"undone {name}")
        return
    done = migrations.migrate_up()
    click.echo("applied: " + (", ".join(done) if done else "nothing (up to date)"))


@cli.command()
@click.option("--password", default="patrol-demo", show_default=True, help="Password for every demo user.")
@click.option("--days", default=30, show_default=True, help="Days of past inspections to generate.")
def demo(password, days):
    """Create the schema, load checklists and build demo data (safe to run twice)."""
    from api.demo import build_demo

    app = _app_or_exit()
    with app.app_context():
        db.connect(reuse_if_open=True)
        build_demo(password=password, days=days, echo=click.echo)
    click.echo(f"demo users: admin manager1 super1 service1 guard1 guard2 cleaner1 tech1 (password: {password})")


def _gunicorn(host, port, workers, certfile=None, keyfile=None, threads=None):
    from gunicorn.app.base import BaseApplication

    from api.app import create_app

    threads = threads or int(os.environ.get("PATROL_THREADS", "16"))

    class _App(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            # threaded workers: a phone sending a photo at 400 kbps holds one thread, not a whole
            # worker, and is never killed for being slow (the timeout is the worker's heartbeat,
            # which its main loop keeps while threads read bodies); a sync worker was killed after
            # 60 s and two slow phones stalled every other request (issue #15)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", threads)
            self.cfg.set("keepalive", 5)
            self.cfg.set("timeout", 60)
            self.cfg.set("graceful_timeout", 20)
            self.cfg.set("accesslog", os.environ.get("PATROL_ACCESS_LOG") or None)
            if certfile:
                self.cfg.set("certfile", certfile)
                self.cfg.set("keyfile", keyfile)

        def load(self):
            return create_app()

    _App().run()


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=lambda: int(os.environ.get("PATROL_WORKERS", "2")), type=int,
              help="gunicorn worker processes [default: 2 or PATROL_WORKERS], each with PATROL_THREADS threads (16)")
@click.option("--certfile", type=click.Path(exists=True, dir_okay=False), help="TLS certificate (PEM).")
@click.option("--keyfile", type=click.Path(exists=True, dir_okay=False), help="TLS private key (PEM).")
def serve(host, port, workers, certfile, keyfile):
    """Run the API (and the phone app at /m/) under gunicorn, after applying migrations."""
    from api import migrations

    if bool(certfile) != bool(keyfile):
        raise click.UsageError("--certfile and --keyfile go together.")
    _refuse_builtin_secret_key()
    _app_or_exit()  # settings, checklists and policy checked before anything starts
    connect()
    unknown = migrations.unknown_applied()
    if unknown:
        raise click.ClickException(
            f"this database was migrated by a newer patrol (migrations {', '.join(unknown)} are not known to "
            f"this version): install that version (or newer) of patrol; nothing was changed.")
    migrations.migrate_up()
    from api.domain.policy import ensure_initial_policy
    ensure_initial_policy()  # the first version is stored now, not by the first request that reads it
    db.close()
    # the master must not keep a pooled connection that every forked worker would inherit
    if hasattr(db.obj, "close_all"):
        db.obj.close_all()
    _gunicorn(host, port, workers, certfile, keyfile)


def _refuse_builtin_secret_key():
    """Production never runs on the key everyone has (it signs pagination cursors)."""
    from api.config import SECRET_KEY_FILE, data_home, dev_mode, secret_key_from_env_or_home

    if secret_key_from_env_or_home()[1] == "builtin" and not dev_mode():
        raise click.ClickException(
            "No secret key: set PATROL_SECRET_KEY, or run `patrol secret-key` to make one in "
            f"{data_home() / SECRET_KEY_FILE} (PATROL_DEV=1 runs on the built-in development key).")


@cli.command("secret-key")
def secret_key():
    """Make the data home's secret key file (random, readable by this user only) if there is none."""
    from api.config import ensure_secret_key

    click.echo(f"secret key: {ensure_secret_key()}")


@cli.command()
@click.option("--password", default="patrol-demo", show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--console-port", default=8501, show_default=True, type=int)
@click.option("--no-demo", is_flag=True, help="Do not build demo data.")
@click.option("--no-worker", is_flag=True, help="Do not start the worker (scheduler and notifications).")
def up(password, host, port, console_port, no_demo, no_worker):
    """Build demo data, then run the API, the phone app, the worker and the console together (SIGTERM
    or Ctrl-C stops them all)."""
    env = dict(os.environ)
    if not env.get("PATROL_SECRET_KEY"):
        from api.config import ensure_secret_key

        ensure_secret_key()  # in the data home: the processes below all read it
    if not no_demo:
        subprocess.run([sys.executable, "-m", "api.cli", "demo", "--password", password], check=True, env=env)
    api_url = f"http://{host}:{port}"
    commands = [[sys.executable, "-m", "api.cli", "serve", "--host", host, "--port", str(port)]]
    if not no_worker:
        commands.append([sys.executable, "-m", "api.cli", "worker"])
    console = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "console",
                           "streamlit_app.py")
    if os.path.exists(console):
        commands.append([sys.executable, "-m", "streamlit", "run", console,
                         "--server.address", host, "--server.port", str(console_port),
                         "--server.headless", "true", "--browser.gatherUsageStats", "false"])
    banner = ["", f"  API        {api_url}/api/v1   (docs: {api_url}/api/docs)", f"  Phone app  {api_url}/m/"]
    if not no_worker:
        banner.append("  Worker     running (escalation, missed rounds, briefings, notifications)")
    if os.path.exists(console):
        banner.append(f"  Console    http://{host}:{console_port}/")
    banner += [f"  Logins     guard1 guard2 cleaner1 tech1 service1 super1 manager1 admin — password {password}",
               "  Ctrl-C stops everything."]
    _supervise(commands, dict(env, PATROL_API_URL=api_url), banner)


class _Stop(Exception):
    pass


def _supervise(commands, env, banner=(), poll=0.5):
    """Start ``commands`` and wait until one ends or we get SIGTERM/SIGINT/SIGHUP; then stop every
    child (SIGTERM, SIGKILL after 20 s) so none is left running re-parented to PID 1."""
    def _raise(signum, frame):
        raise _Stop(signum)

    old = {s: signal.signal(s, _raise) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    procs = []
    try:
        for command in commands:
            procs.append(subprocess.Popen(command, env=env))
        time.sleep(2)
        for line in banner:
            click.echo(line)
        while all(p.poll() is None for p in procs):
            time.sleep(poll)
    except (_Stop, KeyboardInterrupt):
        pass
    finally:
        for s in old:
            signal.signal(s, signal.SIG_IGN)
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for s, handler in old.items():
            signal.signal(s, handler)


@cli.command()
@click.option("--interval", default=60.0, show_default=True, help="Seconds between passes of the scheduled steps.")
@click.option("--poll", default=5.0, show_default=True, help="Seconds between deliveries of new notifications.")
def worker(interval, poll):
    """Run the scheduler: tasks, missed rounds, escalation, reports and notifications, every minute."""
    import logging

    from api import migrations
    from api.worker import Worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    connect()
    migrations.migrate_up()
    Worker(interval=interval, poll=poll).run()


@cli.command()
def tick():
    """One pass of the scheduled steps (for cron or a systemd timer); prints what each step did."""
    from api.domain.scheduler import tick as run_tick

    connect()
    for step, result in run_tick().items():
        click.echo(f"{step}: {result}")


@cli.group()
def users():
    """Staff accounts."""


def _check_password(password, username):
    """The password policy (api/domain/passwords.py): refused with the reasons, nothing created."""
    from api.config import Config
    from api.domain.passwords import password_problems

    problems = password_problems(password, username, Config().PATROL_PASSWORD_MIN_LENGTH)
    if problems:
        raise click.ClickException("password refused: " + " ".join(problems))


@users.command("add")
@click.argument("username")
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(
    ["guard", "cleaner", "technician", "service", "supervisor", "manager", "admin"]))
@click.option("--site", "site_codes", multiple=True, help="Site code (repeatable).")
@click.option("--trade", default=None)
@click.option("--supervisor", default=None, help="Username of the direct supervisor.")
@click.password_option()
def users_add(username, name, role, site_codes, trade, supervisor, password):
    """Add a staff account."""
    from api.auth import hash_password
    from api.db import write_tx
    from api.models import Site, User, UserSite

    _check_password(password, username)
    connect()
    with write_tx():
        if User.get_or_none(User.username == username):
            raise click.ClickException(f"user {username} exists")
        sup = None
        if supervisor:
            sup = User.get_or_none(User.username == supervisor)
            if sup is None:
                raise click.ClickException(f"no user {supervisor}")
        user = User.create(username=username, name=name, role=role, trade=trade, supervisor=sup,
                           password_hash=hash_password(password))
        for code in site_codes:
            site = Site.get_or_none(Site.code == code)
            if site is None:
                raise click.ClickException(f"no site {code}")
            UserSite.create(user=user, site=site)
    click.echo(f"added {username} ({role})")


@users.command("set-password")
@click.argument("username")
@click.password_option()
def users_set_password(username, password):
    """Set a new password; the user's existing tokens are revoked."""
    from api.auth import hash_password, revoke_all
    from api.db import write_tx
    from api.models import User

    _check_password(password, username)
    connect()
    with write_tx():
        user = User.get_or_none(User.username == username)
        if user is None:
            raise click.ClickException(f"no user {username}")
        user.password_hash = hash_password(password)
        user.save()
        revoke_all(user)
    click.echo(f"password set for {username}; their sessions were logged out")


@users.command("revoke")
@click.argument("username")
def users_revoke(username):
    """Revoke every token of a user (lost phone)."""
    from api.auth import revoke_all
    from api.db import write_tx
    from api.models import User

    connect()
    with write_tx():
        user = User.get_or_none(User.username == username)
        if user is None:
            raise click.ClickException(f"no user {username}")
        n = revoke_all(user)
    click.echo(f"revoked {n} token(s) of {username}")


@users.command("disable")
@click.argument("username")
def users_disable(username):
    """Disable an account; its tokens stop working at once."""
    from api.db import write_tx
    from api.models import User

    connect()
    with write_tx():
        n = User.update(active=False).where(User.username == username).execute()
    if not n:
        raise click.ClickException(f"no user {username}")
    click.echo(f"disabled {username}")


def _add_command_modules():
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"api.commands.{name}")
        for cmd in getattr(module, "commands", [module.command]):
            cli.add_command(cmd)


_add_command_modules()

if __name__ == "__main__":
    cli()
