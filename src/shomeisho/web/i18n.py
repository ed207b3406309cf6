"""Japanese and English text for the pages: one table, looked up by key and language.

Japanese is the default (the service is Japanese); ``?lang=en`` or the language link switches and
a cookie keeps the choice. Every key must exist in both languages (a test checks), so no page
shows a key or a half-translated screen.
"""

from __future__ import annotations

LANGUAGES = ("ja", "en")
COOKIE = "shomeisho_lang"

TEXT: dict[str, dict[str, str]] = {
    "service_name": {"ja": "接種記録システム（職員用）", "en": "Vaccination records (staff)"},
    "switch_language": {"ja": "English", "en": "日本語"},
    "skip_to_main": {"ja": "本文へ移動", "en": "Skip to main content"},
    "sign_in": {"ja": "サインイン", "en": "Sign in"},
    "sign_out": {"ja": "サインアウト", "en": "Sign out"},
    "login": {"ja": "ログインID", "en": "Login"},
    "password": {"ja": "パスワード", "en": "Password"},
    "sign_in_failed": {
        "ja": "ログインIDまたはパスワードが違います。",
        "en": "The login or password is wrong.",
    },
    "signed_in_as": {"ja": "サインイン中", "en": "Signed in as"},
    "search_residents": {"ja": "住民を検索", "en": "Search residents"},
    "search_hint": {
        "ja": "氏名の一部（漢字・かな・ローマ字）、宛名番号または生年月日で探せます。",
        "en": "Search by part of a name (kanji, kana or romaji), resident number or birth date.",
    },
    "name": {"ja": "氏名", "en": "Name"},
    "resident_number": {"ja": "宛名番号", "en": "Resident number"},
    "birth_date": {"ja": "生年月日", "en": "Date of birth"},
    "municipality": {"ja": "市区町村コード", "en": "Municipality code"},
    "search": {"ja": "検索する", "en": "Search"},
    "results": {"ja": "{count}件見つかりました", "en": "{count} found"},
    "no_results": {
        "ja": "該当する住民は見つかりませんでした。綴りや生年月日を確かめてください。",
        "en": "No resident matched. Check the spelling or the date of birth.",
    },
    "kana": {"ja": "フリガナ", "en": "Kana"},
    "romaji": {"ja": "ローマ字", "en": "Romaji"},
    "former_family_name": {"ja": "旧姓", "en": "Former surname"},
    "doses": {"ja": "接種回数", "en": "Doses"},
    "open": {"ja": "開く", "en": "Open"},
    "resident": {"ja": "住民", "en": "Resident"},
    "vaccinations": {"ja": "接種記録", "en": "Vaccinations"},
    "no_vaccinations": {"ja": "接種記録はまだありません。", "en": "No vaccination recorded yet."},
    "date": {"ja": "接種日", "en": "Date"},
    "product": {"ja": "ワクチン", "en": "Vaccine"},
    "lot": {"ja": "ロット番号", "en": "Lot"},
    "dose_number": {"ja": "回数", "en": "Dose"},
    "site": {"ja": "接種場所", "en": "Site"},
    "status": {"ja": "状態", "en": "Status"},
    "status_active": {"ja": "有効", "en": "Active"},
    "status_corrected": {"ja": "訂正済み", "en": "Corrected"},
    "status_voided": {"ja": "取消済み", "en": "Voided"},
    "source_record_id": {"ja": "元記録ID", "en": "Source record id"},
    "record_vaccination": {"ja": "接種を記録する", "en": "Record a vaccination"},
    "correct": {"ja": "訂正する", "en": "Correct"},
    "void": {"ja": "取り消す", "en": "Void"},
    "reason": {"ja": "理由", "en": "Reason"},
    "reason_hint": {
        "ja": "記録に残ります。なぜ変更するのかを書いてください。",
        "en": "Kept with the record: say why you change it.",
    },
    "save": {"ja": "保存する", "en": "Save"},
    "back": {"ja": "戻る", "en": "Back"},
    "saved": {"ja": "保存しました。", "en": "Saved."},
    "already_recorded": {
        "ja": "この元記録IDは既に記録されています。既存の記録を表示しています。",
        "en": "This source record id was already recorded; the existing event is shown.",
    },
    "import": {"ja": "CSVを取り込む", "en": "Import a CSV file"},
    "import_hint": {
        "ja": "形式は「接種記録CSV」の説明に従ってください。"
        "同じファイルを再度取り込んでも重複しません。",
        "en": "Use the vaccination CSV format. "
        "Importing the same file again creates no duplicates.",
    },
    "file": {"ja": "ファイル", "en": "File"},
    "import_report": {"ja": "取り込み結果", "en": "Import report"},
    "rows_read": {"ja": "読み込んだ行", "en": "Rows read"},
    "accepted": {"ja": "受け付けた行", "en": "Accepted"},
    "rejected_rows": {"ja": "受け付けなかった行", "en": "Rejected rows"},
    "inserted": {"ja": "追加した接種記録", "en": "Events added"},
    "updated": {"ja": "更新した接種記録", "en": "Events updated"},
    "unchanged": {"ja": "変更なし", "en": "Unchanged"},
    "kept": {"ja": "職員の訂正を保持", "en": "Staff corrections kept"},
    "row": {"ja": "行", "en": "Row"},
    "column": {"ja": "列", "en": "Column"},
    "download_report": {
        "ja": "受け付けなかった行をCSVで保存",
        "en": "Download the rejected rows as CSV",
    },
    "error_title": {"ja": "入力を確認してください", "en": "Please check your input"},
    "not_allowed": {"ja": "この操作は許可されていません", "en": "You may not do this"},
    "not_found": {"ja": "見つかりません", "en": "Not found"},
    "conflict": {
        "ja": "他の職員が先に変更しました。再読み込みしてからやり直してください",
        "en": "Someone changed this meanwhile: reload and try again",
    },
    "history": {"ja": "変更履歴", "en": "History"},
    "version": {"ja": "版", "en": "Version"},
    "changed_by": {"ja": "変更者", "en": "Changed by"},
    "required": {"ja": "必須", "en": "required"},
    "card_sign_in": {
        "ja": "マイナンバーカードでサインイン",
        "en": "Sign in with your My Number card",
    },
    "card_emulation_note": {
        "ja": "デモ用の模擬カードです。カードを選び、4桁の暗証番号を入力してください。",
        "en": "Demo card emulation: choose the card and enter its 4-digit PIN.",
    },
    "choose_card": {"ja": "カードを選んでください", "en": "Choose the card"},
    "pin": {"ja": "暗証番号（4桁）", "en": "PIN (4 digits)"},
    "pin_hint": {
        "ja": "3回続けて間違えるとカードがロックされます。",
        "en": "Three wrong PINs in a row lock the card.",
    },
    "pin_wrong": {
        "ja": "暗証番号が違います。あと{remaining}回間違えるとロックされます。",
        "en": "The PIN is wrong. {remaining} more wrong tries lock the card.",
    },
    "card_locked": {
        "ja": "このカードはロックされています。"
        "お住まいの市区町村の窓口で暗証番号を再設定できます。",
        "en": "This card is locked. Your municipality's counter can reset the PIN.",
    },
    "locked": {"ja": "ロック中", "en": "locked"},
    "signed_in_resident": {"ja": "サインインしました", "en": "You are signed in"},
    "records_found": {
        "ja": "接種記録が{count}件見つかりました。",
        "en": "{count} vaccination records were found.",
    },
    "no_resident": {
        "ja": "このカードに結び付いた住民記録が見つかりません。"
        "お住まいの市区町村にお問い合わせください。",
        "en": "No resident record is linked to this card. Please contact your municipality.",
    },
}


def language_of(query: str | None, cookie: str | None) -> str:
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    return "ja"


def translator(language: str) -> dict[str, str]:
    """The texts of one language, keyed like TEXT (for templates: ``t.save``)."""
    return {key: texts[language] for key, texts in TEXT.items()}
