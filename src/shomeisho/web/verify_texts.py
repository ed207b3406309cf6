"""Japanese and English text of the public verifier page (``/verify``) and its verdicts,
merged into :data:`shomeisho.web.i18n.TEXT`."""

from __future__ import annotations

VERIFY_TEXT: dict[str, dict[str, str]] = {
    "verify_service": {"ja": "接種証明書の確認", "en": "Check a vaccination certificate"},
    "verify_title": {"ja": "接種証明書を確認する", "en": "Check a vaccination certificate"},
    "verify_lead": {
        "ja": "QRコードの画像を選ぶか、QRコードの文字列を貼り付けてください。SMART Health Card、EU DCC、ICAO VDS-NC を確認できます。",
        "en": "Choose a picture of the QR code, or paste the text it holds. SMART Health Cards, EU DCC and ICAO VDS-NC can be checked.",
    },
    "verify_image": {"ja": "QRコードの画像", "en": "Picture of the QR code"},
    "verify_image_hint": {"ja": "PNG または JPEG（20MBまで）", "en": "PNG or JPEG, up to 20 MB"},
    "verify_text": {"ja": "またはQRコードの文字列", "en": "Or the text of the QR code"},
    "verify_text_hint": {"ja": "HC1: や shc:/ で始まる文字列", "en": "Starting with HC1: or shc:/"},
    "verify_button": {"ja": "確認する", "en": "Check"},
    "verify_privacy": {
        "ja": "確認した内容は保存も記録もしません。誰を確認したかがどこかに送られることはありません。",
        "en": "Nothing you check is stored or logged, and no one is told whom you checked.",
    },
    "verify_nothing": {
        "ja": "QRコードの画像を選ぶか、文字列を貼り付けてください",
        "en": "Choose a picture of the QR code or paste its text",
    },
    "verify_too_large": {"ja": "大きすぎて確認できません", "en": "That is too large to check"},
    "verify_result_title": {"ja": "確認の結果", "en": "Result"},
    "verify_format": {"ja": "形式", "en": "Format"},
    "verify_reason": {"ja": "理由", "en": "Reason"},
    "verify_compare": {
        "ja": "本人確認書類の氏名・生年月日と一致するか確かめてください。",
        "en": "Check that the name and date of birth match the person's ID.",
    },
    "verify_another": {"ja": "別の証明書を確認する", "en": "Check another certificate"},
    "verdict_valid": {"ja": "有効な証明書です", "en": "Valid certificate"},
    "verdict_not_yet_valid": {"ja": "まだ有効になっていません", "en": "Not valid yet"},
    "verdict_expired": {"ja": "有効期限が切れています", "en": "Expired"},
    "verdict_untrusted": {"ja": "発行者を信頼できません", "en": "Issuer not trusted"},
    "verdict_invalid": {"ja": "無効な証明書です", "en": "Not a valid certificate"},
    "verdict_unreadable": {"ja": "読み取れませんでした", "en": "Could not be read"},
    "verdict_revoked": {"ja": "発行者により失効されています", "en": "Revoked by its issuer"},
    "verdict_rules_failed": {
        "ja": "この国の受入条件を満たしていません",
        "en": "Does not meet this country's rules",
    },
    "verify_scan": {"ja": "カメラで読み取る", "en": "Scan with camera"},
    "verify_scan_stop": {"ja": "カメラを止める", "en": "Stop the camera"},
    "verify_scan_video": {"ja": "カメラの映像", "en": "Camera view"},
    "verify_scan_hint": {
        "ja": "読み取った文字列だけをこのサービスに送ります。カメラの映像はどこにも送りません。",
        "en": "Only the text read from the code is sent to this service; the camera picture never leaves your device.",
    },
    "verify_scan_starting": {"ja": "カメラを起動しています", "en": "Starting the camera"},
    "verify_scan_point": {
        "ja": "QRコードをカメラに向けてください",
        "en": "Point the camera at the QR code",
    },
    "verify_scan_read": {
        "ja": "QRコードを読み取りました。確認しています",
        "en": "QR code read. Checking it",
    },
    "verify_scan_stopped": {"ja": "カメラを止めました", "en": "The camera is off"},
    "verify_scan_unavailable": {
        "ja": "カメラを使えません。画像を選ぶか、文字列を貼り付けてください",
        "en": "Camera not available: choose a picture or paste the text instead",
    },
    "verify_scan_denied": {
        "ja": "カメラの使用が許可されませんでした。画像を選ぶか、文字列を貼り付けてください",
        "en": "Use of the camera was not allowed: choose a picture or paste the text instead",
    },
    "verify_country": {"ja": "入国先の国の基準", "en": "Rules of the country of arrival"},
    "verify_country_hint": {
        "ja": "国を選ぶと、その国の受入条件も確認します",
        "en": "Choose a country to also check its entry rules",
    },
    "verify_country_none": {
        "ja": "選ばない（技術的な確認のみ）",
        "en": "None: technical check only",
    },
    "verify_country_unknown": {
        "ja": "その国の基準はありません。一覧から選んでください",
        "en": "There are no rules for that country: choose one from the list",
    },
    "verify_rules_checked": {"ja": "確認した基準", "en": "Rules checked"},
    "verify_rules_none_in_force": {
        "ja": "この国の入国時の基準は現在適用されていないため、証明書そのものの確認だけを行いました。",
        "en": "This country has no entry rules in force today, so only the certificate itself was checked.",
    },
    "verify_trust_list": {
        "ja": "信頼リスト 第{version}版（{issued}発行、{days}日前）に基づく確認です。",
        "en": "Checked against trust list version {version} (issued {issued}, {days} days ago).",
    },
    "verify_trust_list_stale": {
        "ja": "信頼リストの更新予定日を過ぎています。最新のリストを取得してください。",
        "en": "The trust list is past its update date; fetch the newest list.",
    },
    "verify_rules_failed": {"ja": "満たしていない基準", "en": "Rules not met"},
    "verify_warning_genuine": {
        "ja": "署名は正しく検証できましたが、このままでは受け入れられません。",
        "en": "The signature is genuine, but the certificate cannot be accepted as it is.",
    },
}
