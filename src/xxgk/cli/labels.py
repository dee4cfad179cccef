"""``xxgk label`` (map label strings to categories) and ``xxgk train-labels`` (rebuild the classifier)."""
from __future__ import annotations

import sys
from typing import List, Optional

import enum

import typer




class Table(str, enum.Enum):
    disclosure = "disclosure"
    requests = "requests"
    appeals = "appeals"


def register(app: typer.Typer) -> None:
    app.command("label")(label)
    app.command("train-labels")(train_labels)


def label(texts: List[str] = typer.Argument(..., metavar="TEXT...",
                                            help="Label strings; '-' reads one string per line from stdin."),
          table: Optional[Table] = typer.Option(None, "--table",
                                              help="The table the labels come from (resolves labels ambiguous "
                                                   "alone, such as 其他)."),
          no_model: bool = typer.Option(False, "--no-model", help="Without the transformer (dictionary and n-gram classifier)."),
          explain: bool = typer.Option(False, "--explain", help="Add the stage, and for mappings below 0.9 "
                                       "the nearest official labels.")):
    """Print CATEGORY<TAB>CONFIDENCE for each input string, in input order."""
    from ..labels import classify_detailed

    if texts == ["-"]:
        texts = [line.rstrip("\r\n") for line in sys.stdin]
    results = classify_detailed(texts, {"table": table.value} if table else None, use_model=not no_model,
                                explain_below=0.9 if explain else 0.0)
    for result in results:
        line = f"{result.category}\t{result.confidence:.4f}"
        if explain:
            nearest = "; ".join(f"{label} ({category}, {cosine:.2f})" for category, label, cosine in result.nearest)
            line += f"\t{result.stage}" + (f"\tnearest: {nearest}" if nearest else "")
        typer.echo(line)


def train_labels(rebuild_corpus: bool = typer.Option(False, "--rebuild-corpus",
                                                     help="Rebuild corpus/labels from the templates, the TSVs "
                                                          "and the real reports in ../shared first."),
                 threads: int = typer.Option(2, "--threads", help="Torch threads."),
                 measure_only: bool = typer.Option(False, "--measure-only",
                                                   help="Only re-measure the committed model on the held-out split."),
                 ngrams_only: bool = typer.Option(False, "--ngrams-only",
                                                  help="Refit only the n-gram classifier (seconds), then measure."),
                 student_only: bool = typer.Option(False, "--student-only",
                                                   help="Retrain only the student from the committed transformer "
                                                        "and n-grams (a few minutes), then measure.")):
    """Train the label classifier (n-gram classifier, transformer adapter and head, the student:
    xxgk/models/labels) and measure it on the held-out split."""
    from ..labels import encoder
    from ..training import corpus, measure, ngrams, student, transformer

    encoder.limit_threads(threads)
    if rebuild_corpus:
        splits = corpus.build_corpus()
        typer.echo("corpus: " + ", ".join(f"{k} {len(v)}" for k, v in splits.items()), err=True)
    if ngrams_only:
        ngrams.train_ngrams()
    if student_only:
        student.train_student()
    metrics = (measure.measure() if measure_only or ngrams_only or student_only
               else transformer.train())
    measure.report(metrics)
