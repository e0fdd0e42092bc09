"""The ``docuflow`` command."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["sfn"]:
        # Pure local runner: no Django setup needed.
        from docuflow.asl.local_runner import main as sfn_main

        return sfn_main(argv[1:])
    print("usage: docuflow sfn execute ...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
