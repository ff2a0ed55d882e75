"""``python -m rulecheck`` and the ``rulecheck`` command: the command line, started with the collector off."""

import gc


def run() -> None:
    """The command line. Start-up (imports, the rule file's models) makes some hundred thousand objects
    and no garbage cycles, which the cyclic collector would otherwise walk again and again (~5% of it);
    a check then runs to its end without it, its batch processes with it (rulecheck.run.processes), and
    the command words that run long (serve) turn it back on."""
    gc.disable()
    from rulecheck.cli import main

    main()


if __name__ == "__main__":
    run()
