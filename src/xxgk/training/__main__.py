"""``python -m xxgk.training``: rebuild the corpus when missing, train the label classifier, measure it."""
from ..labels import encoder
from .measure import report
from .transformer import train


def main() -> None:
    encoder.limit_threads()
    report(train())


if __name__ == "__main__":
    main()
