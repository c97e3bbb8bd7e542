"""`patrol up` starts the worker beside the API and the console; `patrol tick` runs one pass."""
import subprocess

from click.testing import CliRunner

from api import cli
from api.domain.scheduler import STEPS


class _Proc:
    def __init__(self, argv, **kw):
        self.argv = argv

    def poll(self):
        return 0  # "exited": up's wait loop ends at once

    def send_signal(self, sig):
        pass

    def wait(self, timeout=None):
        return 0


def _started(monkeypatch, *args):
    started = []
    monkeypatch.setattr(subprocess, "Popen", lambda argv, **kw: started.append(argv) or _Proc(argv, **kw))
    monkeypatch.setattr(cli.time, "sleep", lambda s: None)
    result = CliRunner().invoke(cli.cli, ["up", "--no-demo", *args])
    assert result.exit_code == 0, result.output
    return [a[3] if a[1:3] == ["-m", "api.cli"] else a[2] for a in started], result.output


def test_up_starts_the_worker_by_default(monkeypatch):
    started, output = _started(monkeypatch)
    assert started[:2] == ["serve", "worker"] and "Worker" in output


def test_up_without_the_worker(monkeypatch):
    started, _ = _started(monkeypatch, "--no-worker")
    assert "worker" not in started


def test_tick_prints_each_step(database_url, org, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    result = CliRunner().invoke(cli.cli, ["tick"])
    assert result.exit_code == 0, result.output
    assert [line.split(":")[0] for line in result.output.splitlines()] == [name for name, _ in STEPS]
