"""The program's fixed vocabulary, as docs/DOMAIN.md states it."""

from __future__ import annotations

import re

PROGRAM_NAME = "中間支援力強化のための伴走支援事業"

# Each application's 判定 (DOMAIN.md: the values tools read from our workbooks).
DECISIONS = ("選定", "選外", "不適格", "要修正", "読込不可", "重複")
SELECTED, NOT_SELECTED, INELIGIBLE, NEEDS_FIX, UNREADABLE, DUPLICATE = DECISIONS

ORG_TYPES: dict[str, str] = {
    "municipality": "区市町村（介護予防・日常生活支援総合事業担当部署等）",
    "council": "区市町村社会福祉協議会",
    "center": "地域包括支援センター",
    "other": "その他（NPO支援センター等）",
}

# Short forms applicants write instead of the full label; each names one type only.
ORG_TYPE_SHORT_FORMS: dict[str, str] = {
    "区市町村": "municipality",
    "自治体": "municipality",
    "社会福祉協議会": "council",
    "社協": "council",
    "区市町村社協": "council",
    "地域包括支援センター": "center",
    "包括": "center",
    "包括支援センター": "center",
    "その他": "other",
}

WARDS = ["千代田区", "中央区", "港区", "新宿区", "文京区", "台東区", "墨田区", "江東区", "品川区", "目黒区", "大田区", "世田谷区", "渋谷区", "中野区", "杉並区", "豊島区", "北区", "荒川区", "板橋区", "練馬区", "足立区", "葛飾区", "江戸川区"]
TAMA = ["八王子市", "立川市", "武蔵野市", "三鷹市", "青梅市", "府中市", "昭島市", "調布市", "町田市", "小金井市", "小平市", "日野市", "東村山市", "国分寺市", "国立市", "福生市", "狛江市", "東大和市", "清瀬市", "東久留米市", "武蔵村山市", "多摩市", "稲城市", "羽村市", "あきる野市", "西東京市", "瑞穂町", "日の出町", "檜原村", "奥多摩町"]
ISLANDS = ["大島町", "利島村", "新島村", "神津島村", "三宅村", "御蔵島村", "八丈町", "青ヶ島村", "小笠原村"]
NISHITAMA_GUN = ("瑞穂町", "日の出町", "檜原村", "奥多摩町")

AREA_WARDS, AREA_TAMA, AREA_ISLANDS = "区部", "多摩", "島しょ"
AREAS = (AREA_WARDS, AREA_TAMA, AREA_ISLANDS)
MUNICIPALITY_AREA: dict[str, str] = {
    **dict.fromkeys(WARDS, AREA_WARDS),
    **dict.fromkeys(TAMA, AREA_TAMA),
    **dict.fromkeys(ISLANDS, AREA_ISLANDS),
}
MUNICIPALITIES = tuple(MUNICIPALITY_AREA)

# Ways people write one of the 62 besides its name (after NFKC): the island for its town or
# village, and characters written in an old, simplified or variant form. ヶ and its look-alikes
# are dropped before comparing (世田ヶ谷区, 青ケ島村, 青が島村); variation selectors too (葛飾区).
MUNICIPALITY_ALIASES: dict[str, str] = {"八丈島": "八丈町", "三宅島": "三宅村"}
MUNICIPALITY_VARIANT_CHARS = str.maketrans({
    "桧": "檜", "户": "戸", "戶": "戸", "澁": "渋", "國": "国", "靑": "青", "豐": "豊", "黑": "黒",
    "藏": "蔵", "區": "区", "嶋": "島", "嶌": "島"})
MUNICIPALITY_DROPPED_CHARS = re.compile("[ヶケヵカがかガ\ufe00-\ufe0f\U000e0100-\U000e01ef]")

MENUS: dict[str, str] = {
    "打合せ・会議運営支援": "共有ビジョン・役割分担・期待する成果を具体化する打合せ・会議の運営を支援します。",
    "ワークショップ運営支援": "住民や多様な主体が地域の福祉課題を「我が事」として捉えるワークショップの運営と、ファシリテーション技術の習得を支援します。",
    "プラン策定支援": "地域課題を事業化し、連携体制や財源を具体化した計画書づくりを支援します。",
    "事業実施段階における直接支援": "事業開始後の試行や継続の仕組みづくりを、現場で直接支援します。",
    "地域デビュー支援策のブラッシュアップ": "退職した会社員等の「地域デビュー」を後押しする既存施策の改善を支援します。",
    "プロボノ事務局移転支援": "プロボノ（職業上の知識・技能を生かしたボランティア）の事務局運営のノウハウ習得を支援します。",
    "その他": "地域の課題に応じて、その他の必要な支援を行います。",
}
MENU_OTHER = "その他"

CATEGORY_OTHER = "その他"
# 取組課題の区分 → the menus the program page recommends for it.
CHALLENGE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "地域課題の共有・共通目標づくり": ("打合せ・会議運営支援", "ワークショップ運営支援"),
    "活動の継続・資金確保": ("プラン策定支援",),
    "担い手の発掘・拡大": ("地域デビュー支援策のブラッシュアップ", "プロボノ事務局移転支援"),
    CATEGORY_OTHER: (),
}

COMMITMENTS = (
    "担当窓口の設置",
    "庁内の連携確保",
    "地域の関係機関への働きかけ",
    "地域課題・ニーズ・資源等の把握",
    "モデル事業・活動の実施",
)

YES_NO = ("あり", "なし")
# The months of support an applicant may ask for (希望期間（か月）).
DURATION_MONTHS = (4, 8)

# Kinds of organisation that are plainly none of the four 団体種別 (the program supports the
# intermediaries of community care, not businesses, schools, hospitals or individuals).
NOT_ELIGIBLE_TYPES = re.compile(
    r"株式会社|有限会社|合同会社|合資会社|合名会社|\((?:株|有)\)|営利企業|民間企業|企業|会社|"
    r"学校法人|大学|高等学校|専門学校|医療法人|病院|診療所|クリニック|宗教法人|"
    r"個人|都庁|東京都の|都の部署|国の機関|省庁")

# A company's legal form in an 団体名 (after NFKC: ㈱ is (株)), and the form each abbreviation
# stands for. A company is none of the four 団体種別 (README 「団体種別と団体名」).
COMPANY_FORMS = re.compile(
    r"株式会社|有限会社|合同会社|合名会社|合資会社|[(〈<【\[](?:株|有|同|名|資)[)〉>】\]]|"
    r"\bCo\.,?\s*Ltd\b|\bInc\.|\bK\.K\.", re.IGNORECASE)
COMPANY_ABBREVIATIONS = {"株": "株式会社", "有": "有限会社", "同": "合同会社", "名": "合名会社",
                         "資": "合資会社"}

MARKS_YES = ("○", "◯", "〇", "●", "✓", "✔", "レ", "☑", "はい", "有", "希望する", "TRUE", "1")
MARKS_NO = ("", "×", "✕", "ー", "-", "いいえ", "無", "FALSE", "0")

ROLES_TOKYO = (
    "モデル区市町村等の選定（最大5地区）",
    "セミナー・個別面談の開催",
    "伴走支援の実施",
    "東京ホームタウンプロジェクトのサイトでの取組紹介",
)
ROLES_DISTRICT = (
    "担当窓口の設置と庁内の連携確保",
    "地域の関係機関・団体への働きかけ",
    "地域調整の実践（地域課題・ニーズ・資源等の把握）",
    "モデル事業・活動の実施",
)
