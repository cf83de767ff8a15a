"""A labelled set of out-of-office replies and complaints, as real clients send them.

Positives are vacation/out-of-office replies in the formats of the clients and
servers our customers use (Outlook/Exchange in several languages, QQ Mail and
Tencent Exmail, NetEase 163, Alibaba Mail, Coremail, Gmail's vacation
responder, iCloud, Yahoo, Zimbra, Dovecot Sieve, Lotus Notes) with every
auto-reply header *removed* - as they arrive through gateways and forwarders
that drop them, or from responders that never set them.  Subjects follow each
client's prefix; the texts are the kind people write into those responders.

Negatives are complaints and customer replies that mention an absence,
a holiday or an auto-reply in passing; none of them may be taken for one.

:func:`client_mail` renders a sample with the header shape and encoding of
its client (Exchange: GB2312 base64; QQ: GB18030 base64; Gmail: UTF-8 QP ...).
"""

from __future__ import annotations

import base64
import quopri
from dataclasses import dataclass
from email.header import Header

TS = "[TS-202503-0012]"


@dataclass(frozen=True)
class Sample:
    """One labelled message."""

    name: str
    client: str  # key of CLIENTS
    subject: str
    body: str
    out_of_office: bool


@dataclass(frozen=True)
class Client:
    """How a client writes a message: charset, transfer encoding, extra headers."""

    charset: str
    encoding: str  # "base64" or "quoted-printable"
    headers: tuple[str, ...] = ()


CLIENTS: dict[str, Client] = {
    "exchange": Client(
        "gb2312",
        "base64",
        ("Thread-Index: AdmPqW1x2b3c4d5e6f7a8b9c0d1e2f==", "Content-Language: zh-CN",
         "X-MS-Has-Attach:", "X-MS-TNEF-Correlator:"),
    ),
    "exchange_utf8": Client(
        "utf-8", "base64", ("Thread-Index: AdmPqW1x2b3c4d5e6f7a8b9c0d1e2f==", "X-MS-Has-Attach:")
    ),
    "qq": Client("gb18030", "base64",
                 ("X-QQ-mid: bizesmtp83t1741158755tyc2k8lo", "X-Mailer: QQMail 2.x")),
    "exmail": Client("gb18030", "base64", ("X-QQ-SSF: 00400000000000F0",)),
    "netease": Client("utf-8", "base64", ("X-Mailer: Coremail Webmail Server Version XT5.0.14",)),
    "aliyun": Client("utf-8", "base64", ("X-Mailer: Alimail-Mailagent revision 2",)),
    "coremail": Client("gbk", "base64", ("X-Mailer: Coremail Webmail Server Version 2.0",)),
    "gmail": Client("utf-8", "quoted-printable", ("X-Gm-Message-State: AOJu0YwQ1ab2",)),
    "icloud": Client("utf-8", "quoted-printable", ("X-Mailer: iPhone Mail (21D61)",)),
    "yahoo": Client("utf-8", "quoted-printable", ("X-Mailer: WebService/1.1.22077 YMailNorrin",)),
    "zimbra": Client("utf-8", "quoted-printable", ("X-Mailer: Zimbra 9.0.0_GA_4546",)),
    "sieve": Client("utf-8", "quoted-printable", ()),
    "notes": Client("iso-8859-1", "quoted-printable", ("X-Mailer: Lotus Notes Release 9.0.1",)),
    "foxmail": Client("gb2312", "base64", ("X-Mailer: Foxmail 7.2.25.375[cn]",)),
    "iphone": Client("utf-8", "quoted-printable", ("X-Mailer: iPhone Mail (20H19)",)),
    "outlook_en": Client("us-ascii", "quoted-printable", ("Thread-Index: AQHbjY5ZQm9vQ2FzZQ==",)),
}  # fmt: skip


def client_mail(sample: Sample, number: int = 0) -> bytes:
    """The raw message ``sample`` as its client would send it (no auto-reply headers)."""
    client = CLIENTS[sample.client]
    charset = client.charset if _encodable(sample, client.charset) else "utf-8"
    subject = Header(sample.subject, charset if not sample.subject.isascii() else "us-ascii")
    data = sample.body.replace("\n", "\r\n").encode(charset)
    body = base64.encodebytes(data) if client.encoding == "base64" else quopri.encodestring(data)
    lines = [
        f"From: customer{number}@customer.example",
        "To: kefu@desk.example.com",
        f"Subject: {subject.encode()}",
        "Date: Tue, 4 Mar 2025 10:12:33 +0800",
        f"Message-ID: <oof-{number}-{sample.client}@customer.example>",
        "In-Reply-To: <ts-202503-0012-ack@desk.example.com>",
        *client.headers,
        "MIME-Version: 1.0",
        f'Content-Type: text/plain; charset="{charset}"',
        f"Content-Transfer-Encoding: {client.encoding}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body.replace(b"\n", b"\r\n")


def _encodable(sample: Sample, charset: str) -> bool:
    """True when the sample's text fits the client's charset."""
    try:
        (sample.subject + sample.body).encode(charset)
    except UnicodeEncodeError:
        return False
    return True


POSITIVES = [
    Sample("exchange_en", "outlook_en", f"Automatic reply: Re: {TS} Complaint received",
           "Thank you for your email. I am currently out of the office with limited access to "
           "email, returning on Monday 10 March.\nFor urgent matters please contact my colleague "
           "Li Wei (li.wei@customer.example).", True),
    Sample("exchange_zh_cn", "exchange", f"自动回复: Re: {TS} 您的投诉已受理",
           "您好，我目前休假中，3月10日返回。休假期间邮件回复可能会有延迟，如有急事请联系李伟"
           "（li.wei@customer.example）。", True),
    Sample("exchange_zh_tw", "exchange_utf8", f"自動回覆: Re: {TS} 您的投訴已受理",
           "您好，本人於3月3日至3月7日休假，期間無法及時回覆郵件，返回後將盡快處理。\n"
           "緊急事務請聯繫陳小姐，電話 02-2345-6789。", True),
    Sample("exchange_ja", "exchange_utf8", f"自動応答: Re: {TS}",
           "お世話になっております。\n誠に勝手ながら、3月10日まで不在にしております。\n"
           "ご不便をおかけしますが、何卒よろしくお願いいたします。", True),
    Sample("exchange_de", "exchange_utf8", f"Automatische Antwort: Re: {TS}",
           "Vielen Dank für Ihre Nachricht. Ich bin bis einschließlich 10.03. nicht im Büro und "
           "habe nur eingeschränkten Zugriff auf meine E-Mails.", True),
    Sample("exchange_fr", "exchange_utf8", f"Réponse automatique : Re: {TS}",
           "Bonjour,\nJe suis absente jusqu'au 10 mars. Pour toute demande urgente, merci de "
           "contacter le standard.", True),
    Sample("exchange_es", "exchange_utf8", f"Respuesta automática: Re: {TS}",
           "Estoy fuera de la oficina hasta el 10 de marzo.", True),
    Sample("exchange_ko", "exchange_utf8", f"자동 회신: Re: {TS}",
           "안녕하세요. 3월 10일까지 휴가입니다.", True),
    Sample("exchange_ru", "exchange_utf8", f"Автоматический ответ: Re: {TS}",
           "Здравствуйте! Я в отпуске до 10 марта.", True),
    Sample("exchange_2003", "outlook_en", f"Out of Office AutoReply: Re: {TS}",
           "I am out of the office until 10 March.", True),
    Sample("outlook_2007", "outlook_en", f"Out of Office: Re: {TS}",
           "I will be out of the office from 3 March to 7 March.", True),
    Sample("exchange_en_prefix_zh_body", "exchange", f"Automatic reply: 关于{TS}",
           "您好，我目前在外出差，邮件回复可能延迟，敬请谅解。", True),
    Sample("qq_vacation", "qq", f"自动回复: Re: {TS} 您的投诉已受理",
           "这是来自QQ邮箱的假期自动回复邮件。\n \n您好，我最近正在休假中，无法亲自回复您的邮件。"
           "我将在假期结束后，尽快给您回复。", True),
    Sample("qq_vacation_default_subject", "qq", f"Re: {TS} 您的投诉已受理",
           "这是来自QQ邮箱的假期自动回复邮件。\n \n您好，您的邮件已收到，我会尽快回复。", True),
    Sample("exmail_fullwidth_colon", "exmail", f"自动回复：Re: {TS}",
           "您好！我正在休年假，3月10日回到公司。如有急事请拨打13800138000。", True),
    Sample("exmail_bracket", "exmail", f"【自动回复】Re: {TS}",
           "您好，您的邮件已收到。我目前出差在外，回来后会第一时间回复您。", True),
    Sample("netease_prefix", "netease", f"自动回复: Re: {TS}",
           "您好，我已收到您的邮件，目前正在休假，将于下周一回来后处理。", True),
    Sample("netease_user_subject", "netease", "休假中",
           "您好，我3月3日至3月9日休假，期间不能及时回复邮件，回来后尽快回复您。谢谢！", True),
    Sample("aliyun", "aliyun", f"自动回复: {TS}",
           "您好，本人3月3日至3月10日外出，期间邮件可能无法及时回复，急事请联系王经理。", True),
    Sample("coremail_bracket", "coremail", "[自动回复] 您好",
           "此邮件为自动回复。我已收到您的邮件，将尽快处理。", True),
    Sample("coremail_plain_subject", "coremail", "外出",
           "本人3月3日至3月10日外出，期间邮件可能无法及时回复，急事请联系王经理。", True),
    Sample("gmail_out_of_office", "gmail", "Out of office",
           "Hi,\n\nI'm out of the office until March 10 and will have limited access to email. "
           "I'll respond when I get back.\n\nBest,\nAnna", True),
    Sample("gmail_zh_subject", "gmail", "休假中",
           "您好，我正在休假，3月10日回来，期间邮件回复会有延迟。", True),
    Sample("gmail_default_subject", "gmail", f"Re: {TS} Complaint received",
           "Hi, I am on annual leave and will be back on 10 March. For anything urgent, please "
           "call the office.", True),
    Sample("gmail_vacation_subject", "gmail", "I'm on vacation",
           "Thanks for your email! I'm on vacation until March 10 with no access to email.", True),
    Sample("gmail_away_until", "gmail", "Away until May 5",
           "I am currently away, returning to the office on May 5th. I will have limited access "
           "to email and will respond to you upon my return.", True),
    Sample("icloud", "icloud", f"Re: {TS}",
           "I'm currently away and will reply to your message when I return.", True),
    Sample("yahoo", "yahoo", "Auto Response",
           "Thank you for your message. I am away from my desk until Monday.", True),
    Sample("zimbra", "zimbra", f"Re: {TS}",
           "I am on vacation until 10 March. Your email will not be forwarded.", True),
    Sample("sieve_auto", "sieve", f"Auto: Re: {TS}",
           "I'm out of office, I will contact you when I'm back.", True),
    Sample("sieve_auto_reply_subject", "sieve", "Auto-Reply: I'm out of office.",
           "I'm out of office, i will contact you when i'm back.\n\n----\nBest Regards.", True),
    Sample("lotus_notes", "notes", "Wang Fang is out of the office.",
           "I will be out of the office starting  03/03/2025 and will not return until "
           "03/10/2025.\n\nI will respond to your message when I return.", True),
    Sample("foxmail_explicit", "foxmail", f"Re: {TS}",
           "这是一封自动回复邮件。我近期在外出差，邮件回复可能不及时。", True),
    Sample("english_explicit", "gmail", f"Re: {TS}",
           "This is an automatic reply. I am travelling until 12 March.", True),
    Sample("parental_leave", "gmail", f"Re: {TS} Complaint received",
           "Hello,\nI am currently on parental leave and will return on 1 June. During my absence "
           "please contact service@customer.example.", True),
    Sample("business_trip_zh", "exchange", f"Re: {TS}",
           "您好，我正在出差，3月8日返回，期间如有急事请联系我的同事张敏。", True),
    Sample("iphone_away", "iphone", "Away",
           "I'm away until Monday with limited access to email.", True),
    Sample("zh_tw_vacation", "exchange_utf8", "休假通知",
           "您好，我目前正在休假，將於3月10日返回辦公室，期間郵件回覆可能延遲。", True),
    Sample("ooo_prefix", "gmail", "OOO - back on Monday",
           "I'm out of the office today. Back on Monday.", True),
]  # fmt: skip

NEGATIVES = [
    Sample("holiday_deliver_before", "qq", "请尽快派送",
           "我下周休假，请在周五前把包裹送到公司前台。", False),
    Sample("business_trip_locker", "netease", "快递放快递柜",
           "我3月3日至3月10日出差，家里没人，快递请放快递柜，单号SF1234567890。", False),
    Sample("out_of_office_deliver_to_reception", "gmail", "Delivery address change",
           "Hi, I will be out of the office until Monday, please deliver the parcel to reception "
           "instead.", False),
    Sample("quotes_your_auto_reply_zh", "exchange", "投诉没人处理",
           "你们的自动回复说“我目前休假，将于5月5日返回”，可是我的问题已经一周没人理了！", False),
    Sample("replies_to_an_oof", "outlook_en", f"RE: Automatic reply: Re: {TS}",
           "I got an automatic reply saying 'I am out of the office until 10 March'. Who else can "
           "help me with my damaged shipment?", False),
    Sample("why_only_auto_replies", "qq", "为什么只有自动回复",
           "为什么每次只收到自动回复？没有人工客服吗？", False),
    Sample("auto_reply_useless", "gmail", "Auto reply not helpful",
           "Your auto-reply is useless. I have been waiting two weeks for an answer.", False),
    Sample("out_of_office_hours", "gmail", "Out of office hours delivery attempt",
           "The courier came at 11pm, out of office hours, and left a note on the door.", False),
    Sample("signed_while_on_holiday", "netease", "没收到包裹",
           "我在休假期间包裹被签收了，但我本人没有收到。", False),
    Sample("neighbour_accepts", "gmail", "Re: delivery",
           "I am away on holiday until 20 March, my neighbour will accept the package.", False),
    Sample("broken_after_holiday", "qq", "东西坏了",
           "休假回来发现东西坏了，外箱都压扁了。", False),
    Sample("contact_you_after_trip", "netease", f"Re: {TS}",
           "我现在出差，回来后再联系你们。", False),
    Sample("was_out_of_office", "gmail", "Out of office",
           "I was out of office when the driver came, please redeliver tomorrow.", False),
    Sample("order_during_annual_leave", "exchange", "订单问题",
           "您好，我是张三，年假期间在网上下的订单，到现在还没发货。", False),
    Sample("on_leave_call_mobile", "gmail", f"Re: {TS}",
           "Thanks for your email. I am on leave next week, so please call my mobile "
           "13800138000 to arrange the pickup.", False),
    Sample("trip_then_deliver", "qq", f"Re: {TS}",
           "收到，谢谢。我下周二到周五在外地出差，周六之后在家，届时再派送吧。", False),
    Sample("auto_reply_broken", "qq", "自动回复坏了?",
           "自动回复功能是不是坏了？我发了三封邮件都没有回复。", False),
    Sample("lost_during_holiday", "exchange", "【投诉】休假期间快递丢失",
           "我休假期间寄回老家的快递丢失了，至今没有任何说明。", False),
    Sample("was_away", "gmail", "Away",
           "I was away last week and the parcel was returned to sender. Please send it again.",
           False),
    Sample("urgent_while_on_holiday", "exchange", f"Re: {TS} 已受理",
           "我正在休假，但是这件事很急：包裹里是药品，请今天之内送到。", False),
    Sample("vacation_refund", "gmail", "Vacation order refund",
           "I ordered a suitcase for my vacation and it never arrived. I want a refund.", False),
    Sample("leave_next_week_zh", "coremail", "请安排周五前送达",
           "您好！我从下周一开始休假，期间不在公司，请务必周五前送达，谢谢。", False),
    Sample("auto_reply_subject_complaint", "gmail", "Automatic replies only?",
           "Is anyone reading these? All I get are automatic replies.", False),
    Sample("reply_after_oof_zh", "exchange", f"回复: 自动回复: Re: {TS}",
           "我刚休假回来，看到你们的回复了。破损的货物什么时候可以赔偿？", False),
    Sample("thanks_and_away", "iphone", f"Re: {TS}",
           "Thank you. I will be away tomorrow, so the driver can leave it with security.", False),
    Sample("holiday_address", "foxmail", "修改收货地址",
           "我这周在外地出差，麻烦把收货地址改成：上海市浦东新区世纪大道100号。", False),
    Sample("out_of_town_return", "yahoo", f"Re: {TS}",
           "I'm out of town until Friday. Can you hold my shipment at the depot until then?",
           False),
    Sample("holiday_waited_until", "gmail", "Holiday delivery",
           "I waited until 6pm and nobody came. Very disappointing.", False),
    Sample("came_back_nothing_there", "qq", "外出",
           "我外出回来发现门口什么都没有，等到晚上八点也没人来。", False),
    Sample("vacation_until_no_show", "yahoo", "Vacation",
           "I stayed home until noon instead of going on vacation, nobody showed up.", False),
    Sample("colleague_follows_up", "exchange", f"Re: {TS}",
           "您好，我下周休假，期间由我的同事李明跟进这件事，他的电话是13900139000。", False),
]  # fmt: skip

SAMPLES = [*POSITIVES, *NEGATIVES]
