"""The `bansou` command: parses options, calls one library function, reports.

Exit codes: 0 done (problems found in applicants' files are results, not failures);
1 a command could not complete (the message says why, in Japanese); 2 usage;
3 `check` found problems in the files it checked.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipeline import __version__, click_ja

if TYPE_CHECKING:
    from pipeline.core.timing import Progress
    from pipeline.stage3_write.selection import RoundResult

click_ja.install()

DEFAULT_OUTBOX = Path("outbox")
DEFAULT_INBOX = Path("inbox")
DEFAULT_CONFIG = Path("round.toml")
FOUND_PROBLEMS = 3
OPTIONS = "[オプション]"


def _round_option(function: Callable[..., None]) -> Callable[..., None]:
    """--round DIR: the round kept in its own folder (DIR/round.toml, DIR/inbox, DIR/outbox)."""
    return click.option(
        "--round", "round_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="募集回のフォルダ（bansou new-round で作成）。その中の round.toml・inbox・outbox を使います"
    )(function)


def _folder_option(name: str, help_text: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """--inbox or --outbox: a folder, with this command's help."""
    return click.option(name, type=click.Path(file_okay=False, path_type=Path), default=None,
                        help=help_text)


def _config_option(help_text: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """--config: the round's settings file, with this command's help."""
    return click.option("--config", type=click.Path(dir_okay=False, path_type=Path), default=None,
                        help=help_text)


def _paths(round_dir: Path | None, config: Path | None, inbox: Path | None = None,
           outbox: Path | None = None) -> tuple[Path, Path, Path]:
    """(config, inbox, outbox): what was given, else the round folder's, else the top level's."""
    from pipeline.new_round import round_paths

    defaults = round_paths(round_dir) if round_dir else (DEFAULT_CONFIG, DEFAULT_INBOX,
                                                          DEFAULT_OUTBOX)
    if not config:
        config = defaults[0] if round_dir else _top_config()
    return config, inbox or defaults[1], outbox or defaults[2]


def _top_config(config: Path | None = None) -> Path:
    """The settings a command uses without --round: the file given, else round.toml here, else
    the sample round shipped with the tool, saying so (a fresh install has no round.toml)."""
    from pipeline.core.settings import SHIPPED_ROUND

    if config or DEFAULT_CONFIG.exists():
        return config or DEFAULT_CONFIG
    click.echo(f"設定の注意: このフォルダに {DEFAULT_CONFIG} がないため、付属の見本の設定（{SHIPPED_ROUND}）を"
               "使います。自分の募集回は bansou new-round フォルダ で作り、--round フォルダ を付けて"
               "実行してください。")
    return SHIPPED_ROUND


@click.group(context_settings={"help_option_names": ["-h", "--help"]},
             options_metavar=OPTIONS, subcommand_metavar="コマンド [引数]...")
@click.option("--debug", is_flag=True, help="エラー時にトレースバックを表示します。")
@click.version_option(__version__, prog_name="bansou", message="%(prog)s %(version)s")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """伴走支援事業の選定を行うツールです。

    \b
    例:
      bansou form                 空の申請用紙を outbox/申請用紙.xlsx に作成
      bansou check                inbox に届いたファイルの不備を確認
      bansou run                  inbox の申請を判定し、結果を outbox に作成
      bansou new-round rounds/2017  次の募集回のフォルダを作成
      bansou run --round rounds/2017  そのフォルダの募集回を実行
      bansou demo                 見本の募集回を demo/ に作って実行
      bansou report               支援の1年の成果報告を outbox/成果報告.xlsx に作成
    """
    ctx.obj = {"debug": debug}
    if debug:  # the workers' own error output (a parser's crash report) reaches the console
        from pipeline.core.processes import DEBUG_VARIABLE

        os.environ[DEBUG_VARIABLE] = "1"


@main.command(options_metavar=OPTIONS)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="作成するファイルのパス（既定: <outbox>/申請用紙.xlsx）")
@_config_option("募集回の設定ファイル（既定: round.toml）。年度・締切・提出先が申請用紙に入ります")
@_round_option
@click.pass_context
def form(ctx: click.Context, output: Path | None, config: Path | None,
         round_dir: Path | None) -> None:
    """募集回の空の申請用紙（申請用紙.xlsx）を作成します。

    \b
    例:
      bansou form -o 申請用紙.xlsx
      bansou form --round rounds/2017
    """
    from pipeline.core.names import FORM_FILE
    from pipeline.core.settings_load import load_settings
    from pipeline.stage3_write.form import write_form
    from pipeline.stage3_write.outputs import record_output, replace_atomically

    config, _, outbox = _paths(round_dir, config)
    output = output or outbox / FORM_FILE
    with _reported(ctx):
        settings = load_settings(config)
        output.parent.mkdir(parents=True, exist_ok=True)
        with replace_atomically(output) as temporary:
            write_form(temporary, settings)
        if output.parent.resolve() == outbox.resolve():  # the tool's, as a run's outputs are
            record_output(outbox, output.name)
    click.echo(f"申請用紙を作成しました: {output}（{settings.name}）")


@main.command(options_metavar=OPTIONS)
@click.argument("files", nargs=-1, metavar="[ファイル]...",
                type=click.Path(dir_okay=False, path_type=Path))
@_folder_option("--inbox", "ファイルを指定しないときに確かめるフォルダ（既定: inbox）")
@_config_option("募集回の設定ファイル（既定: round.toml。審査票の評価項目と締切に使います）")
@_round_option
def check(files: tuple[Path, ...], inbox: Path | None, config: Path | None,
          round_dir: Path | None) -> None:
    """届いたファイルを読み、不備をセルごとに表示します。申請用紙・審査票（審査/ のファイル）・
    受付簿・計画書と支援記録（支援/ のファイル）を、それぞれとして確かめます。

    すべて不備なしなら終了コード 0、不備があれば 3 です。

    ファイルを指定しなければ、受付フォルダ（inbox）のファイル・審査票・計画書・支援記録を
    すべて確かめます。
    ファイル名だけを書くと、受付フォルダ（--round を付ければその募集回の inbox）から探します。

    \b
    例:
      bansou check
      bansou check 申請_新宿区.xlsx
      bansou check inbox/審査/審査票_山口.xlsx inbox/受付簿.xlsx
      bansou check inbox/支援/支援記録_新宿区.xlsx
      bansou check --round rounds/2017 申請_新宿区.xlsx
    """
    from pipeline.check import check_files
    from pipeline.core.errors import SettingsError
    from pipeline.core.settings_load import load_settings

    config, inbox, _ = _paths(round_dir, config, inbox)
    files = tuple(_in_inbox(path, inbox) for path in files)
    try:
        settings = load_settings(config)
    except SettingsError as error:  # forms can still be checked; staff files say they cannot
        settings = None
        click.echo(f"設定の注意: {error}")
    for warning in settings.warnings if settings else ():
        click.echo(f"設定の注意: {warning}")
    if not files:  # every file in the inbox, whatever its name (spaces, brackets…)
        from pipeline.stage1_read.inbox import scan_inbox

        if not inbox.is_dir():
            raise click.UsageError(f"受付フォルダ {inbox} がありません。確かめるファイルを指定してください。")
        scan = scan_inbox(inbox)
        files = (*(f.path for f in scan.files), *scan.registers, *scan.review_files,
                 *scan.support_files)
        if not files:
            click.echo(f"{inbox} に確かめるファイルがありません。")
            return
    for notice in _limits_notice():
        click.echo(notice)
    any_problem = False
    for path, found in check_files(files, settings).items():
        if not found:
            click.echo(f"{path.name}: 不備はありません。")
            continue
        any_problem = True
        click.echo(f"{path.name}: {len(found)}件の不備があります。")
        for problem in found:
            where = (f"{problem.sheet}!{problem.cell}" if problem.sheet and problem.cell
                     else problem.cell or problem.sheet or "-")
            click.echo(f"  {where}  {problem.label}: {problem.message}")
    sys.exit(FOUND_PROBLEMS if any_problem else 0)


@main.command(options_metavar=OPTIONS)
@_folder_option("--inbox", "届いた申請用紙のフォルダ（既定: inbox）")
@_folder_option("--outbox", "結果を書き出すフォルダ（既定: outbox）")
@_config_option("募集回の設定ファイル（既定: round.toml）")
@_round_option
@click.option("--keep-existing", is_flag=True,
              help="記録（.bansou-manifest.json）のない出力フォルダにファイルがあっても実行します。"
                   "それらは事務局のファイルとしてそのまま残し、同じ名前の出力は日時付きの名前で書きます")
@click.option("--timings", type=click.Path(dir_okay=False, path_type=Path), hidden=True,
              help="Seconds per stage and peak memory, as JSON (for `make bench`).")
@click.pass_context
def run(ctx: click.Context, inbox: Path | None, outbox: Path | None, config: Path | None,
        round_dir: Path | None, keep_existing: bool, timings: Path | None) -> None:
    """inbox の申請用紙をすべて判定し、選定結果を outbox に書き出します。

    不備のある申請があっても、結果を書き出せれば終了コードは 0 です。

    \b
    例:
      bansou run
      bansou run --round rounds/2017
      bansou run --inbox 受付 --outbox 結果 --config round.toml
    """
    from pipeline.core.manifest import latest
    from pipeline.core.names import SELECTION_FILE
    from pipeline.core.settings_load import load_settings
    from pipeline.core.timing import Stopwatch
    from pipeline.run import run_round

    config, inbox, outbox = _paths(round_dir, config, inbox, outbox)
    watch = Stopwatch()
    with _reported(ctx):
        settings = load_settings(config)
        result = run_round(inbox, outbox, settings, progress=_progress_bar(), lap=watch.lap,
                           keep_existing=keep_existing)
    if timings:
        watch.write(timings)
    click.echo(_summary(result) + _shortened(outbox))
    _echo_support(result)
    click.echo(f"結果: {latest(outbox, SELECTION_FILE)}")


@main.command(options_metavar=OPTIONS)
@_folder_option("--outbox", "申請一覧.xlsx のあるフォルダ（既定: outbox）")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="書き出す CSV ファイル（既定: <outbox>/申請一覧.csv）")
@_round_option
@click.pass_context
def export(ctx: click.Context, outbox: Path | None, output: Path | None,
           round_dir: Path | None) -> None:
    """最後の実行で書いた申請一覧（すべての申請の全項目と判定）を CSV に書き出します。
    文字コードは Excel でそのまま開ける UTF-8（BOM 付き）です。

    \b
    例:
      bansou export
      bansou export -o 申請一覧.csv
    """
    from pipeline.core.manifest import latest
    from pipeline.core.names import LIST_FILE
    from pipeline.export import export_csv

    _, _, outbox = _paths(round_dir, None, outbox=outbox)
    target = output or outbox / "申請一覧.csv"
    with _reported(ctx):
        count = export_csv(latest(outbox, LIST_FILE), target)
    click.echo(f"{count}件の申請を {target} に書き出しました。")


@main.command(options_metavar=OPTIONS)
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path),
                default=Path("demo"), metavar="[フォルダ]")
@click.option("--forms", type=click.IntRange(20, 20000), default=40, show_default=True, metavar="数",
              help="作成する申請用紙の数")
@click.option("--seed", type=int, default=2016, show_default=True, metavar="数", help="乱数の種（同じなら同じ内容）")
@_config_option("募集回の設定ファイル（既定: round.toml。なければ付属の見本の設定）")
@click.pass_context
def demo(ctx: click.Context, directory: Path, forms: int, seed: int, config: Path | None) -> None:
    """見本の募集回を作り、選定まで実行します。

    フォルダ（既定: demo）の inbox に申請用紙・受付簿・審査票を作り、outbox に結果を書き出します。

    \b
    例:
      bansou demo
      bansou demo /tmp/大規模 --forms 10000
    """
    from pipeline.core.manifest import latest
    from pipeline.core.names import PLAN_DIR, SELECTION_FILE
    from pipeline.core.points import shown_text
    from pipeline.core.settings_load import load_settings
    from pipeline.demo import prepare_directory, run_demo

    with _reported(ctx):
        config_path = _top_config(config)
        settings = load_settings(config_path)
        prepare_directory(directory)
        demo_round, result = run_demo(directory, settings, forms=forms, seed=seed,
                                      progress=_progress_bar(), support_year=True)
        shutil.copyfile(config_path, directory / "round.toml")  # make report ROUND=demo
    click.echo(_summary(result) + _shortened(demo_round.outbox))
    _echo_support(result)
    selected = result.ranked[result.ranked["decision"] == "選定"]
    for row in selected.itertuples():
        click.echo(f"  選定 {row.rank}位 {row.municipality} {row.org_name}（{shown_text(row.total)}点）")
    click.echo(f"申請用紙: {demo_round.inbox}")
    click.echo(f"結果:     {latest(demo_round.outbox, SELECTION_FILE)}（計画書は {demo_round.outbox / PLAN_DIR}）")


@main.command(options_metavar=OPTIONS)
@_folder_option("--inbox", "申請用紙と inbox/支援/（計画書・支援記録）のフォルダ（既定: inbox）")
@_folder_option("--outbox", "結果を書き出すフォルダ（既定: outbox）")
@_config_option("募集回の設定ファイル（既定: round.toml）")
@_round_option
@click.pass_context
def report(ctx: click.Context, inbox: Path | None, outbox: Path | None, config: Path | None,
           round_dir: Path | None) -> None:
    """支援の1年の成果報告（成果報告.xlsx）を outbox に書き出します。

    選定と同じ実行をし、inbox/支援/ の計画書・支援記録から、地区ごとの計画・実施した支援・
    成果指標の結果と、地区全体のまとめ（メニュー別の回数・参加者・達成した指標、グラフ）を
    作ります。一度書き出すと、その後の bansou run でも最新の内容に更新します。

    \b
    例:
      bansou report
      bansou report --round demo
    """
    from pipeline.core.manifest import latest
    from pipeline.core.names import REPORT_FILE
    from pipeline.core.settings_load import load_settings
    from pipeline.run import run_round

    config, inbox, outbox = _paths(round_dir, config, inbox, outbox)
    with _reported(ctx):
        settings = load_settings(config)
        result = run_round(inbox, outbox, settings, progress=_progress_bar(), report=True)
    _echo_support(result)
    click.echo(f"成果報告: {latest(outbox, REPORT_FILE)}")


def _echo_support(result: RoundResult) -> None:
    """The support year's line: 「支援中 5地区：要確認 2件（…）」 (nothing before a selection)."""
    if result.support is not None and (line := result.support.console_line()):
        click.echo(line)


@main.command("new-round", options_metavar=OPTIONS)
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), metavar="フォルダ")
@_config_option("もとにする募集回の設定ファイル（既定: round.toml。なければ付属の見本の設定）")
@click.pass_context
def new_round(ctx: click.Context, directory: Path, config: Path | None) -> None:
    """次の募集回のフォルダを作ります。

    round.toml を年度・締切・再提出期限を1年進めて写し、連絡文のひな形（templates）と
    空の inbox・outbox を作ります。あるファイルは上書きしません。

    \b
    例:
      bansou new-round rounds/2017
      bansou new-round rounds/2018 --config rounds/2017/round.toml
    """
    from pipeline.core.wording import japanese_datetime
    from pipeline.new_round import new_round as create

    with _reported(ctx):
        settings = create(directory, _top_config(config))
    click.echo(f"{directory} に「{settings.name}」を作りました（締切 "
               f"{japanese_datetime(settings.deadline)}）。\n"
               f"  設定: {directory / 'round.toml'}（値を確かめてください）\n"
               f"  申請用紙の作成: bansou form --round {directory}\n"
               f"  実行: bansou run --round {directory}"
               + "".join(f"\n設定の注意: {warning}" for warning in settings.warnings))


def _in_inbox(path: Path, inbox: Path) -> Path:
    """A file to check: as given, or, given by its name only, in the round's inbox (or its
    審査/ folder)."""
    from pipeline.stage1_read.inbox import REVIEW_DIR

    for candidate in (path, inbox / path, inbox / REVIEW_DIR / path):
        if candidate.exists() and not candidate.is_dir():  # a pipe too: check says it cannot open it
            return candidate
    raise click.UsageError(f"ファイル {path} が見つかりません（{inbox} の中も探しました）。")


def _summary(result: RoundResult) -> str:
    """What staff must notice without opening 概要: the counts, whether the ranking is final
    and why not, and how many remarks the register and the review sheets left."""
    counts = result.ledger["decision"].value_counts()
    summary = "、".join(f"{d} {counts[d]}件" for d in counts.index)
    lines = [f"{len(result.ledger)}件のファイルを判定しました（{summary or 'なし'}）。"]
    lines += [f"設定の注意: {warning}" for warning in result.settings.warnings]
    lines += _limits_notice()
    if result.provisional:
        lines.append(f"順位: 暫定（理由{len(result.provisional_reasons)}件。選定・選外の通知は"
                     "「通知（暫定）」の下書きです）")
        lines += [f"  暫定の理由: {reason}" for reason in result.provisional_reasons]
    else:
        lines.append("順位: 確定")
    lines.append(f"前回からの変更: {result.changes_summary}")
    if result.staff_files:
        beside = sum(kept.newest is not None and kept.newest != kept.path
                     for kept in result.staff_files)
        lines.append(f"outbox で事務局が変更・追加したファイル {len(result.staff_files)}件はそのまま残しました"
                     + (f"（うち{beside}件は、今回の出力をその横に日時付きの名前で書きました）"
                        if beside else "") + "。一覧と今回の出力の場所は「概要」にあります")
    if result.location_notes:
        lines.append(f"郵便番号・所在地・区市町村の食い違い {len(result.location_notes)}件（判定はしました。"
                     "受付一覧・選定順位の理由と「概要」にあります）")
    lines.append(f"受付簿についての注意 {len(result.register_notes)}件、審査票についての注意 "
                 f"{len(result.review_notes)}件（選定結果.xlsx の「概要」に一覧があります）")
    return "\n".join(lines)


def _shortened(outbox: Path) -> str:
    """Said when the outbox is so deep that file names were cut to fit Windows' path limit."""
    from pipeline.stage3_write.outputs import MAX_PART, MAX_PATH, part_room

    if (room := part_room(outbox)) >= MAX_PART:
        return ""
    return (f"\n注意: 出力フォルダの場所が深いため、Windows で開けるパスの長さ（{MAX_PATH + 1}文字未満）に"
            f"収まるよう、通知・差戻し・計画書のファイル名の団体名・ファイル名の部分を{room}文字までに"
            "短くしました。浅いフォルダに移すと元の長さの名前になります。")


def _limits_notice() -> list[str]:
    """The limits the workers that read the files run without here (Windows has none)."""
    from pipeline.core.processes import missing_limits

    if not (missing := missing_limits()):
        return []
    return [f"注意: この環境では、申請用紙を読むプロセスに{'・'.join(missing)}の上限を設けられません"
            "（Windows など）。極端に重いファイルは読み終わるまで時間やメモリを使います。"
            "異常終了したファイルだけが読込不可になることは同じです（概要の「読み込みの上限」）。"]


def _progress_bar() -> Progress | None:
    """click's progress bar on a terminal; nothing when output is redirected."""
    if not sys.stdout.isatty():
        return None

    @contextlib.contextmanager
    def progress(total: int) -> Iterator[Callable[[int], None]]:
        with click.progressbar(length=total, label="申請用紙を読み込み中", width=30) as bar:
            yield bar.update

    return progress


@contextlib.contextmanager
def _reported(ctx: click.Context) -> Iterator[None]:
    """Turn the project's errors (and the system's, on files) into a Japanese message and
    exit code 1; a traceback only with --debug."""
    from pipeline.core.errors import BansouError, os_reason

    try:
        yield
    except (BansouError, OSError) as error:
        if ctx.obj and ctx.obj.get("debug"):
            raise
        message = str(error) if isinstance(error, BansouError) else (
            f"ファイルを読み書きできません：{error.filename or ''}（{os_reason(error)}）")
        raise click.ClickException(message) from error


def _console_never_fails() -> None:
    """A character the console's encoding lacks (✕ ✓ ☑, 𠮷, an emoji on a cp932 console, or
    output redirected to a file on Japanese Windows) is shown as ? instead of ending the
    command with UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):  # not a text stream, or closed
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]


def _without_data_synthesis() -> None:
    """pandera imports hypothesis where it is installed (beside the tests), to offer data
    synthesis the tool never asks for: a tenth of a second of every `bansou check`. The
    command's own process says it is not there (pandera then offers none)."""
    sys.modules.setdefault("hypothesis", None)  # type: ignore[arg-type]


def entry() -> None:
    """The ``bansou`` command: :func:`main`, then the process ends without tearing down every
    object it made (a third of a second after a round of 10,000 forms). Every file is closed
    by then and every worker ended; the console output is flushed here."""
    _console_never_fails()
    _without_data_synthesis()
    try:
        main()
        code = 0
    except SystemExit as done:
        if isinstance(done.code, str):
            print(done.code, file=sys.stderr)
        code = done.code if isinstance(done.code, int) else 0 if done.code is None else 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (bansou check | head)
            stream.flush()
    os._exit(code)

