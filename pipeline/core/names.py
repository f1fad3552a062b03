"""The names of what a round writes in outbox/ (the output contract in docs/DOMAIN.md), in one
place for the writers, the commands and the reading of the previous run."""

from __future__ import annotations

SELECTION_FILE = "選定結果.xlsx"
REVIEW_FILE = "審査票.xlsx"
LIST_FILE = "申請一覧.xlsx"
FORM_FILE = "申請用紙.xlsx"
PROGRESS_FILE = "進捗.xlsx"  # the support year, each run
REPORT_FILE = "成果報告.xlsx"  # the year-end report (bansou report; kept current once written)
OUTPUT_FILES = (SELECTION_FILE, LIST_FILE, REVIEW_FILE, FORM_FILE, PROGRESS_FILE,
                REPORT_FILE)  # at the top of outbox/
PLAN_DIR = "計画"
RETURN_DIR = "差戻し"
NOTICE_DIR = "通知"
DRAFT_NOTICE_DIR = "通知（暫定）"  # 選定・選外 notices while the ranking is 暫定: not to be sent
SUPPORT_DIR = "支援"  # inbox/支援/: returned plans and logs (never applications)
# The record of what the run wrote (SHA-256 of each file), beside the outputs.
MANIFEST = ".bansou-manifest.json"
