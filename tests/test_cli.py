"""The command line's conventions (docs/cli.md): '-' is stdin/stdout, choices in --help, -v/-q, one message
style ``xxgk: FILE: reason``, the exit codes, a missing extra named in one line, shell completion, and
output names that cannot collide."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from xxgk.cli.generate import FORM_CHOICES
from xxgk.generate import FORMS

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "corpus" / "seeds"
SEED = sorted((SEEDS / "raw").iterdir())[0]
PDF = sorted((ROOT / "corpus" / "real" / "raw").glob("*.pdf"))[0]


def xxgk(*args, input: bytes | None = None, cwd: Path | None = None, hide: tuple[str, ...] = ()):
    """The real ``xxgk`` program (``xxgk.cli.main``) in its own process; ``hide``: modules made uninstalled."""
    hidden = "".join(f"sys.modules[{m!r}] = None; " for m in hide)
    return subprocess.run([sys.executable, "-c", f"import sys; {hidden}from xxgk.cli import main; main()",
                           *map(str, args)], input=input, capture_output=True, timeout=300, cwd=cwd)


def lines(stream: bytes) -> list[str]:
    return [line for line in stream.decode("utf-8").splitlines() if line.strip()]


def test_extract_one_file_without_o_prints_the_record():
    done = xxgk("extract", SEED)
    assert done.returncode == 0 and done.stderr == b""
    record = json.loads(done.stdout)
    assert record["template"] == json.loads((SEEDS / "gold" / f"{SEED.stem}.json").read_text("utf-8"))["template"]


def test_extract_several_files_to_stdout_is_json_lines():
    seeds = sorted((SEEDS / "raw").iterdir())[:3]
    done = xxgk("extract", *seeds, "-o", "-")
    assert done.returncode == 0
    records = [json.loads(line) for line in lines(done.stdout)]
    assert [r["source"]["name"] for r in records] == [p.stem for p in seeds]
    assert not Path("-").exists()


def test_pages_of_one_name_in_several_folders_get_one_record_each(tmp_path):
    seeds = sorted((SEEDS / "raw").iterdir())[:3]
    for folder, seed in zip("abc", seeds):
        (tmp_path / folder).mkdir()
        shutil.copy(seed, tmp_path / folder / "index.html")
    done = xxgk("extract", "a/index.html", "b/index.html", "c/index.html", "-o", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    written = {p.relative_to(tmp_path / "out").as_posix(): json.loads(p.read_text("utf-8"))
               for p in (tmp_path / "out").rglob("*.json")}
    assert sorted(written) == ["a/index.json", "b/index.json", "c/index.json"]
    assert len({json.dumps(r["fields"], sort_keys=True) for r in written.values()}) == 3

    flat = xxgk("extract", "a/index.html", "b/index.html", "-o", "flat", "--flat", cwd=tmp_path)
    assert flat.returncode == 2 and not (tmp_path / "flat").exists()
    assert lines(flat.stderr) == [f"xxgk: {Path('flat') / 'index.json'}: --flat would write a/index.html, "
                                  "b/index.html to this one file; leave out --flat to keep their folders"]


def test_siblings_differing_by_suffix_keep_it(tmp_path):
    (tmp_path / "src").mkdir()
    shutil.copy(SEED, tmp_path / "src" / "page.txt")
    shutil.copy(sorted((SEEDS / "raw").iterdir())[1], tmp_path / "src" / "page.htm")
    done = xxgk("extract", "src", "-o", "out", cwd=tmp_path)
    assert done.returncode == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["page.htm.json", "page.txt.json"]


def test_eval_json_dash_prints_the_results(tmp_path):
    pred = tmp_path / "pred"
    assert xxgk("extract", SEEDS / "raw", "-o", pred, "-q").returncode == 0
    done = xxgk("eval", SEEDS / "gold", pred, "--json", "-", cwd=tmp_path)
    assert done.returncode == 0 and not (tmp_path / "-").exists()
    assert json.loads(done.stdout)["predicted"] == len(list((SEEDS / "gold").iterdir()))


def test_check_dash_reads_a_record_from_stdin():
    record = xxgk("extract", SEED).stdout
    done = xxgk("check", "-", "--json", input=record)
    checked = json.loads(done.stdout)
    assert checked["errors"] == [] and checked["reports"][0]["path"] == "-"
    assert done.returncode in (0, 1) and checked["reports"][0]["verdict"] == json.loads(record)["verdict"]


def test_generate_lists_its_forms_and_refuses_another_without_a_traceback(tmp_path):
    assert FORM_CHOICES == FORMS
    helped = xxgk("generate", "--help").stdout.decode()
    assert all(form in helped.replace("\n", "").replace(" ", "") for form in FORMS)
    done = xxgk("generate", tmp_path / "g", "--form", "foo")
    assert done.returncode == 2 and b"Traceback" not in done.stderr and b"cells_tabbed" in done.stderr


def test_quiet_leaves_only_failures_and_verbose_is_accepted(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    quiet = xxgk("-q", "extract", SEED, tmp_path / "empty.txt", "-o", tmp_path / "out")
    assert quiet.returncode == 1
    assert lines(quiet.stderr) == [f"xxgk: {tmp_path / 'empty.txt'}: empty file"]
    loud = xxgk("-v", "extract", SEED, "-o", tmp_path / "out2")
    assert loud.returncode == 0 and "1 record(s) written" in loud.stderr.decode()


def test_a_missing_extra_is_one_line_naming_it(tmp_path):
    done = xxgk("extract", PDF, "-o", tmp_path, hide=("pdfplumber",))
    assert done.returncode == 1
    assert lines(done.stderr)[0] == f"xxgk: {PDF}: reading a PDF needs the [pdf] extra: pip install 'xxgk[pdf]'"
    served = xxgk("review", SEEDS / "raw", hide=("uvicorn",))
    assert served.returncode == 2
    assert lines(served.stderr) == ["xxgk: this command needs the [review] extra: pip install 'xxgk[review]'"]


def test_a_missing_input_is_one_line_in_the_message_style(tmp_path):
    done = xxgk("extract", tmp_path / "nowhere.txt", "-o", tmp_path / "out")
    assert done.returncode == 1
    assert lines(done.stderr)[0] == f"xxgk: {tmp_path / 'nowhere.txt'}: cannot open: No such file or directory"


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_shell_completion_is_offered(shell):
    done = subprocess.run([sys.executable, "-c", "from xxgk.cli import main; main()", "--show-completion", shell],
                          capture_output=True, text=True, timeout=60, env={**os.environ,
                                                                          "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
    assert done.returncode == 0 and "_XXGK_COMPLETE" in done.stdout


def _extract_with_a_pool(*args):
    """``xxgk extract ARGS`` in its own process, with a pool of workers for any two files."""
    return subprocess.run([sys.executable, "-c", "import sys; from xxgk.cli import main, extract; "
                           "extract.PARALLEL_FROM_BYTES = 0; main()", *map(str, args)],
                          capture_output=True, timeout=300)


def test_extract_on_two_workers_writes_and_says_what_one_process_does(tmp_path):
    # A folder's files go to worker processes (-j, default every core): the same records, byte for byte,
    # printed in the files' order, and the same failure lines and exit status as one process gives.
    import random

    from xxgk.generate import random_record, render_report

    source = tmp_path / "in"
    source.mkdir()
    for seed in sorted((SEEDS / "raw").iterdir()):
        shutil.copy(seed, source / seed.name)
    (source / "empty.txt").write_bytes(b"")
    rng = random.Random("two workers")
    (source / "two.txt").write_text("\n\n".join(render_report(random_record("2021", rng), "tab_rows", rng,
                                                              noise=0.0).text for _ in range(2)), "utf-8")
    one = _extract_with_a_pool("extract", source, "-o", tmp_path / "one", "-j", "1")
    two = _extract_with_a_pool("extract", source, "-o", tmp_path / "two", "-j", "2")
    assert one.returncode == two.returncode == 1
    assert lines(two.stderr) == [line.replace(str(tmp_path / "one"), str(tmp_path / "two"))
                                 for line in lines(one.stderr)]
    assert f"xxgk: {source / 'empty.txt'}: empty file" in lines(one.stderr)
    written = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert "two#1.json" in written and "two#2.json" in written and len(written) == 7
    assert written == sorted(p.name for p in (tmp_path / "two").iterdir())
    assert all((tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes() for name in written)
    printed = [_extract_with_a_pool("extract", source, "-j", jobs).stdout for jobs in (1, 2)]
    assert printed[0] == printed[1] and len(lines(printed[0])) == 7


def test_extract_goes_on_in_its_own_process_when_a_worker_dies(tmp_path):
    # A worker killed (out of memory) takes the files it held with it: the command says so once and extracts
    # the files not yet done itself, every record written as one process writes it.
    source = tmp_path / "in"
    source.mkdir()
    seeds = sorted((SEEDS / "raw").iterdir())
    for seed in seeds:
        shutil.copy(seed, source / seed.name)
    dies_on = seeds[1].name
    done = subprocess.run([sys.executable, "-c", "import os, sys; from xxgk.cli import main, extract\n"
                           "parent, extract_path = os.getpid(), extract._extract_path\n"
                           "def dying(path, *args):\n"
                           f"    if os.getpid() != parent and path.name == {dies_on!r}: os._exit(9)\n"
                           "    return extract_path(path, *args)\n"
                           "extract._extract_path, extract.PARALLEL_FROM_BYTES = dying, 0\nmain()",
                           "extract", source, "-o", tmp_path / "out", "-j", "2"], capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert lines(done.stderr)[0] == ("xxgk: a worker process stopped (killed or crashed); "
                                     "the files left are extracted in this process")
    one = xxgk("extract", source, "-o", tmp_path / "one", "-j", "1")
    assert one.returncode == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in (tmp_path / "one").iterdir())
    assert all(p.read_bytes() == (tmp_path / "one" / p.name).read_bytes() for p in (tmp_path / "out").iterdir())


def test_a_pool_is_started_only_for_enough_work(tmp_path):
    # The pool's start (about 0.7 s of the parent's CPU) pays only for a folder's worth of bytes, and never
    # for one file however large.
    from xxgk.cli.extract import PARALLEL_FROM_BYTES, _worth_a_pool

    big, small = tmp_path / "big.pdf", tmp_path / "small.txt"
    big.write_bytes(b"x" * PARALLEL_FROM_BYTES)
    small.write_bytes(b"x" * 5000)
    assert not _worth_a_pool([big]) and not _worth_a_pool([small] * 5)
    assert _worth_a_pool([big, small]) and _worth_a_pool([small] * (PARALLEL_FROM_BYTES // 5000 + 1))
    assert not _worth_a_pool([tmp_path / "gone.txt", small])
