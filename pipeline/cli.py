"""The `bansou` command: parses options, calls one library function, reports.

Exit codes: 0 all clean, 1 finished but some input had problems, 2 usage.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

DEFAULT_OUTBOX = Path("outbox")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="エラー時にトレースバックを表示します。")
@click.version_option(package_name="bansou")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """伴走支援事業の選定を行うツールです。

    \b
    例:
      bansou form                 空の申請用紙を outbox/申請用紙.xlsx に作成
      bansou check inbox/*.xlsx   届いた申請用紙の不備を確認
    """
    ctx.obj = {"debug": debug}


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_OUTBOX / "申請用紙.xlsx", show_default=True,
              help="作成するファイルのパス")
def form(output: Path) -> None:
    """空の申請用紙（申請用紙.xlsx）を作成します。

    \b
    例:
      bansou form -o 申請用紙.xlsx
    """
    from pipeline.form import write_form
    from pipeline.outputs import replace_atomically

    output.parent.mkdir(parents=True, exist_ok=True)
    with replace_atomically(output) as temporary:
        write_form(temporary)
    click.echo(f"申請用紙を作成しました: {output}")


@main.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check(files: tuple[Path, ...]) -> None:
    """届いた申請用紙を読み、不備をセルごとに表示します。

    すべて不備なしなら終了コード 0、不備があれば 1 です。

    \b
    例:
      bansou check inbox/申請_新宿区.xlsx
    """
    from pipeline.run import check_file

    any_problem = False
    for path in files:
        found = check_file(path)
        if not found:
            click.echo(f"{path.name}: 不備はありません。")
            continue
        any_problem = True
        click.echo(f"{path.name}: {len(found)}件の不備があります。")
        for problem in found:
            where = f"{problem.sheet}!{problem.cell}" if problem.cell else (problem.sheet or "-")
            click.echo(f"  {where}  {problem.label}: {problem.message}")
    sys.exit(1 if any_problem else 0)
