"""The review sheet (審査票) as a contract: the sheet we send reviewers and read back."""

from __future__ import annotations

REVIEW_SHEET = "審査票"
REVIEWER_LABEL = "審査員氏名"
FILE_LABEL = "ファイル名"
CONFLICT_LABEL = "利害関係あり"
COMMENT_LABEL = "コメント"
HEADER_ROW = 4  # zero-based row of the column headings in the sheet we write
