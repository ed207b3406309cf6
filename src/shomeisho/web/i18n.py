"""Japanese and English text for the pages: one table, looked up by key and language.

Japanese is the default (the service is Japanese); ``?lang=en`` or the language link switches and
a cookie keeps the choice. Every key must exist in both languages (a test checks), so no page
shows a key or a half-translated screen.
"""

from __future__ import annotations

from shomeisho.web.kpi_texts import KPI_TEXT
from shomeisho.web.status_texts import STATUS_TEXT
from shomeisho.web.verify_texts import VERIFY_TEXT

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
    "journey_service": {"ja": "接種証明書", "en": "Vaccination certificate"},
    "journey_start_title": {
        "ja": "新型コロナワクチン接種証明書を取得する",
        "en": "Get your COVID-19 vaccination certificate",
    },
    "journey_start_lead": {"ja": "1分ほどで終わります。", "en": "It takes about a minute."},
    "journey_need_card": {
        "ja": "マイナンバーカードと暗証番号（4桁）",
        "en": "Your My Number card and its 4-digit PIN",
    },
    "journey_need_passport": {"ja": "海外用はパスポート", "en": "For travel abroad: your passport"},
    "journey_start": {"ja": "開始する", "en": "Start now"},
    "no_records_title": {"ja": "接種証明書を発行できません", "en": "We cannot issue a certificate"},
    "no_records_doses": {
        "ja": "証明書に記載できる新型コロナワクチンの接種記録がまだありません。記録が登録されるまで数日かかることがあります。",
        "en": "There is no COVID-19 vaccination on record that a certificate can show yet. New records can take a few days to arrive.",
    },
    "no_records_what_to_do": {
        "ja": "接種を受けた市区町村の窓口にお問い合わせください。記録を確認・訂正できます。",
        "en": "Contact the municipality where you were vaccinated: they can check and correct your records.",
    },
    "use_question": {"ja": "どこで使いますか", "en": "Where will you use it?"},
    "use_domestic": {"ja": "日本国内で使う", "en": "In Japan"},
    "use_overseas": {
        "ja": "海外で使う（日本国内でも使えます）",
        "en": "Abroad (also valid in Japan)",
    },
    "use_label": {"ja": "用途", "en": "Use"},
    "choose_use_error": {
        "ja": "どこで使うかを選んでください",
        "en": "Choose where you will use it",
    },
    "continue": {"ja": "次へ進む", "en": "Continue"},
    "change": {"ja": "変更", "en": "Change"},
    "travel_title": {"ja": "パスポートの情報", "en": "Your passport details"},
    "passport_number": {"ja": "旅券番号", "en": "Passport number"},
    "passport_hint": {
        "ja": "パスポートの顔写真ページに記載された番号（例: TK1234567）",
        "en": "As on the photo page of your passport (for example TK1234567)",
    },
    "passport_error": {
        "ja": "旅券番号は英字と数字6〜9文字です",
        "en": "A passport number has 6 to 9 letters and digits",
    },
    "romaji_family": {"ja": "姓（ローマ字）", "en": "Surname (as in the passport)"},
    "romaji_given": {"ja": "名（ローマ字）", "en": "Given names (as in the passport)"},
    "romaji_hint": {
        "ja": "パスポートと同じつづりにしてください",
        "en": "Spell them exactly as in your passport",
    },
    "romaji_error": {
        "ja": "ローマ字の氏名はパスポートと同じ英字で入力してください",
        "en": "Enter the name in Latin letters as in your passport",
    },
    "nationality": {"ja": "国籍", "en": "Nationality"},
    "nationality_hint": {
        "ja": "3文字の国名コード（日本は JPN）",
        "en": "3-letter country code (Japan is JPN)",
    },
    "nationality_error": {
        "ja": "国籍は3文字のコードで入力してください（例: JPN）",
        "en": "Enter the 3-letter country code (for example JPN)",
    },
    "check_title": {"ja": "入力内容の確認と同意", "en": "Check your answers and consent"},
    "consent_label": {
        "ja": "上記の内容で接種証明書を発行することに同意します",
        "en": "I agree to the certificate being issued with these details",
    },
    "consent_error": {
        "ja": "発行するには同意が必要です",
        "en": "You need to agree before the certificate can be issued",
    },
    "issue_certificate": {"ja": "証明書を発行する", "en": "Issue the certificate"},
    "certificate_title": {"ja": "接種証明書", "en": "Your vaccination certificate"},
    "newest_certificate": {
        "ja": "{date} に発行した最新の証明書です",
        "en": "This is your newest certificate, issued {date}",
    },
    "register_changed": {
        "ja": "この証明書の発行後（{date}）に接種記録が更新されました。最新の記録で発行し直せます。",
        "en": "Your vaccination records changed on {date}, after this certificate was issued. You can issue it again with the newest records.",
    },
    "reissue": {"ja": "最新の記録で発行し直す", "en": "Issue it again"},
    "download_pdf": {"ja": "PDF（A4・印刷用）を保存", "en": "Save the PDF (A4, for printing)"},
    "certificate_id": {"ja": "証明書番号", "en": "Certificate ID"},
    "earlier_certificates": {"ja": "以前に発行した証明書", "en": "Certificates issued earlier"},
    "earlier_hint": {
        "ja": "以前の証明書も有効期限までは使えますが、最新の接種記録は上の証明書にだけ載っています。",
        "en": "Earlier certificates stay valid until they expire, but only the one above shows your newest records.",
    },
    "issued_on": {"ja": "発行日時", "en": "Issued"},
    "choose_format": {"ja": "証明書の形式", "en": "Certificate format"},
    "download_qr": {"ja": "QRコードを画像で保存", "en": "Save the QR code as an image"},
    "download_shc": {
        "ja": "SMART Health Card ファイルを保存",
        "en": "Save the SMART Health Card file",
    },
    "name_question": {
        "ja": "証明書に記載する氏名",
        "en": "Which name should the certificate show?",
    },
    "name_hint": {
        "ja": "パスポートや提示する身分証と同じ氏名を選んでください。ほかの氏名も証明書の中に別名として残り、確認する人が照合できます。",
        "en": "Choose the name on the passport or ID you will show with it. The other names stay in the certificate as alternate names, so a checker can match either.",
    },
    "name_source_record": {"ja": "接種記録の氏名", "en": "name in your vaccination record"},
    "name_source_former": {"ja": "旧姓", "en": "former surname"},
    "name_source_card": {"ja": "マイナンバーカードの氏名", "en": "name on your My Number card"},
    "card_name_differs": {
        "ja": "マイナンバーカードの氏名（{card}）と接種記録の氏名（{record}）が異なります。証明書はこのまま発行できます。記載する氏名は「変更」から選べます。",
        "en": "The name on your My Number card ({card}) differs from the name in your vaccination record ({record}). You can still get your certificate, and choose which name it shows with “Change”.",
    },
    "card_name_what_to_do": {
        "ja": "接種記録の氏名が古い場合は、接種記録のある市区町村の窓口で訂正できます。",
        "en": "If the name in your vaccination record is out of date, the municipality that keeps it can correct it.",
    },
    "being_checked_title": {
        "ja": "接種記録の確認が終わるまで発行できません",
        "en": "Your records are being checked",
    },
    "being_checked_lead": {
        "ja": "あなたの接種記録に、証明書に載せる前に市区町村が確認する点があります。",
        "en": "Your vaccination record has something your municipality needs to check before a certificate can show it.",
    },
    "question_duplicate_dose": {
        "ja": "{dose}回目の接種が2件以上記録されています。",
        "en": "Dose {dose} is recorded more than once.",
    },
    "question_missing_dose": {
        "ja": "{dose}回目の接種の記録がありません（それより後の接種は記録されています）。",
        "en": "Dose {dose} is missing, though later doses are recorded.",
    },
    "question_dose_order": {
        "ja": "{dose}回目の接種日が、その前の回より前になっています。",
        "en": "Dose {dose} is dated before the dose before it.",
    },
    "being_checked_what_to_do": {
        "ja": "接種記録のある市区町村の窓口にお問い合わせください。窓口の画面にも同じ内容が表示されます。訂正されれば、このページからすぐに発行できます。",
        "en": "Contact the municipality that keeps your record: their screen shows the same note. Once it is corrected you can get your certificate here straight away.",
    },
    "counter_issue": {
        "ja": "窓口で接種証明書を発行する",
        "en": "Issue a paper certificate at the counter",
    },
    "counter_questions": {
        "ja": "この接種記録には確認が必要な点があります。訂正するまで発行できません。",
        "en": "This record has open questions; correct it before issuing.",
    },
    "counter_overseas_only": {
        "ja": "海外用のみ: パスポートの情報",
        "en": "Overseas use only: passport details",
    },
    "counter_identity": {"ja": "確認した本人確認書類", "en": "Identity document checked"},
    "counter_choose": {"ja": "選んでください", "en": "Choose one"},
    "document_my_number_card": {"ja": "マイナンバーカード", "en": "My Number card"},
    "document_driving_licence": {"ja": "運転免許証", "en": "Driving licence"},
    "document_passport": {"ja": "パスポート", "en": "Passport"},
    "document_other_photo_id": {"ja": "その他の顔写真付き書類", "en": "Other photo ID"},
    "counter_consent": {
        "ja": "本人が申請書に署名し、この内容での発行に同意した",
        "en": "The resident signed the application and agreed to the certificate being issued",
    },
    "counter_issued": {"ja": "接種証明書を発行しました", "en": "The certificate was issued"},
    "counter_print": {"ja": "印刷する（PDF）", "en": "Print it (PDF)"},
    "problem_title_sign_in": {"ja": "サインインが必要です", "en": "You need to sign in"},
    "problem_title_refused": {"ja": "この操作はできません", "en": "This is not allowed"},
    "problem_title_missing": {"ja": "ページが見つかりません", "en": "Page not found"},
    "problem_title_input": {"ja": "入力を確認してください", "en": "Please check what was sent"},
    "problem_title_broken": {"ja": "ただいま処理できません", "en": "Sorry, something went wrong"},
    "problem_next_sign_in": {"ja": "最初からやり直してください。", "en": "Please start again."},
    "problem_next_refused": {
        "ja": "この操作の権限がありません。必要な場合は窓口にお問い合わせください。",
        "en": "You are not allowed to do this. Ask the counter if you need it.",
    },
    "problem_next_missing": {
        "ja": "アドレスを確認するか、最初のページからやり直してください。",
        "en": "Check the address, or start again from the first page.",
    },
    "problem_next_input": {
        "ja": "前のページに戻って入力を確認してください。",
        "en": "Go back to the previous page and check your answers.",
    },
    "problem_next_broken": {
        "ja": "こちらの問題です。記録されました。しばらくしてからもう一度お試しください。",
        "en": "The problem is on our side and has been logged. Please try again later.",
    },
    "problem_detail": {"ja": "理由", "en": "Reason"},
    "problem_code": {"ja": "お問い合わせ用コード", "en": "Code to quote if you contact us"},
    "problem_back": {"ja": "最初のページに戻る", "en": "Back to the first page"},
    **VERIFY_TEXT,  # the public verifier page's texts (web/verify_texts.py)
    **STATUS_TEXT,  # the status page's texts (web/status_texts.py)
    **KPI_TEXT,  # the KPI pages' texts (web/kpi_texts.py)
}


def language_of(query: str | None, cookie: str | None) -> str:
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    return "ja"


def translator(language: str) -> dict[str, str]:
    """The texts of one language, keyed like TEXT (for templates: ``t.save``)."""
    return {key: texts[language] for key, texts in TEXT.items()}
