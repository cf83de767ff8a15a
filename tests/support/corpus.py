"""Sentence banks for the sample complaint mail (simplified, traditional Chinese, English).

Kept apart from the composition code in ``samples.py`` so the text can grow
without touching the logic.  Placeholders in braces are filled by
``str.format``: {wb} {wb2} waybill numbers, {po} order number, {inv} invoice,
{ship_date}, {days}, {city_from}, {city_to}, {item}, {amount}, {amount2},
{kg}, {kg2}, {courier}, {time}.

Constraints the tests check: simplified text encodes in GB2312 (names may use
GBK-only or GB18030-only characters on purpose), traditional text in Big5,
English text in ASCII (non-ASCII only comes from names and smart quotes).
"""

from __future__ import annotations

TOPICS: tuple[str, ...] = ("damage", "delay", "loss", "tracking", "attitude", "billing")

# -- who writes ---------------------------------------------------------------

# (display name, mailbox handle).  The first group has characters outside
# GB2312 that GBK has (喆 堃 镕 玥 赟 昇 珺 垚): mail "labelled gb2312" from these
# customers cannot be decoded with a strict GB2312 codec.
NAMES_ZH_GBK_ONLY: tuple[tuple[str, str], ...] = (
    ("王喆", "wangzhe"),
    ("李堃", "likun"),
    ("陈镕", "chenrong"),
    ("张玥", "zhangyue"),
    ("赵赟", "zhaoyun"),
    ("刘昇", "liusheng"),
    ("周珺", "zhoujun"),
    ("郑垚", "zhengyao"),
)
NAMES_ZH: tuple[tuple[str, str], ...] = (
    ("王芳", "wangfang"),
    ("李娜", "lina"),
    ("张伟", "zhangwei"),
    ("刘洋", "liuyang"),
    ("陈静", "chenjing"),
    ("杨磊", "yanglei"),
    ("黄晓明", "huangxm"),
    ("吴婷", "wuting"),
    ("孙浩", "sunhao"),
    ("马俊", "majun"),
    ("朱丽", "zhuli"),
    ("胡斌", "hubin"),
    ("郭强", "guoqiang"),
    ("何敏", "hemin"),
    ("林涛", "lintao"),
    ("高翔", "gaoxiang"),
    ("徐静怡", "xujingyi"),
    ("宋志刚", "songzg"),
)
# 䶮 (U+4DAE, CJK Extension A) exists in GB18030 but not in GBK.
NAMES_ZH_GB18030_ONLY: tuple[tuple[str, str], ...] = (
    ("刘䶮", "liuyan"),
    ("王䶮", "wangyan"),
)
NAMES_ZH_HANT: tuple[tuple[str, str], ...] = (
    ("陳志明", "chen.zhiming"),
    ("林美玲", "lin.meiling"),
    ("黃冠宇", "huang.guanyu"),
    ("張家豪", "chang.chiahao"),
    ("李淑芬", "lee.shufen"),
    ("王建民", "wang.chienmin"),
    ("吳佩珊", "wu.peishan"),
    ("蔡宗翰", "tsai.tsunghan"),
    ("鄭雅婷", "cheng.yating"),
)
NAMES_EN: tuple[tuple[str, str], ...] = (
    ("Michael Turner", "m.turner"),
    ("David Miller", "dmiller"),
    ("Emma Johnson", "emma.johnson"),
    ("James Wilson", "jwilson"),
    ("Olivia Brown", "olivia.b"),
    ("Robert Clarke", "rclarke"),
    ("Sophie Martin", "sophie.martin"),
    ("Daniel Lee", "daniel.lee"),
    ("Laura Schmidt", "l.schmidt"),
    ("Thomas Becker", "t.becker"),
    ("Priya Sharma", "priya.sharma"),
    ("Ahmed Hassan", "a.hassan"),
    ("Kevin Wong", "kevin.wong"),
    ("Rachel Green", "rgreen"),
)
# Only given to customers whose charset can carry them (UTF-8, Latin-1, CP1252).
NAMES_EN_ACCENTED: tuple[tuple[str, str], ...] = (
    ("Chloé Dubois", "chloe.dubois"),
    ("Jürgen Groß", "j.gross"),
    ("José Martínez", "jose.martinez"),
    ("Renée Lefèvre", "renee.lefevre"),
    ("Søren Madsen", "soren.madsen"),
)

FREE_MAIL_ZH: tuple[str, ...] = ("qq.example", "163.example", "126.example", "sina.example")
FREE_MAIL_EN: tuple[str, ...] = ("gmail.example", "outlook.example", "yahoo.example")

# (company, mail domain)
COMPANIES_ZH: tuple[tuple[str, str], ...] = (
    ("深圳恒通电子有限公司", "hengtong-elec.example"),
    ("杭州丝路贸易有限公司", "silkroad-trading.example"),
    ("义乌鑫淼小商品商行", "xinmiao-yiwu.example"),
    ("上海悦达国际贸易有限公司", "yueda-intl.example"),
    ("东莞精工五金制品厂", "jinggong-hardware.example"),
)
COMPANIES_ZH_HANT: tuple[tuple[str, str], ...] = (
    ("福爾摩沙貿易有限公司", "formosa-trading.example"),
    ("台灣精密零件股份有限公司", "twprecision.example"),
    ("香港永興進出口公司", "wingheng-hk.example"),
)
COMPANIES_EN: tuple[tuple[str, str], ...] = (
    ("Northwind Traders Ltd.", "northwind-traders.example"),
    ("BrightStar Electronics GmbH", "brightstar-electronics.example"),
    ("Acme Parts Inc.", "acme-parts.example"),
    ("Bluewave Imports Pty Ltd", "bluewave-imports.example"),
    ("Harbor Home Goods LLC", "harborhome.example"),
)

CITIES_ZH: tuple[str, ...] = (
    "深圳", "广州", "上海", "杭州", "义乌", "北京", "成都", "武汉",
    "苏州", "东莞", "厦门", "郑州", "西安", "天津", "青岛",
)  # fmt: skip
CITIES_ZH_HANT: tuple[str, ...] = ("台北", "新北", "台中", "高雄", "桃園", "香港", "九龍", "新竹")
CITIES_EN: tuple[str, ...] = (
    "Shenzhen", "Shanghai", "Ningbo", "Guangzhou", "Hong Kong", "Hamburg",
    "Rotterdam", "Los Angeles", "Singapore", "Felixstowe", "Sydney", "Chicago",
)  # fmt: skip

ITEMS_ZH: tuple[str, ...] = (
    "蓝牙耳机", "手机壳", "陶瓷餐具", "显示器", "服装样品", "茶叶礼盒",
    "电路板", "儿童玩具", "化妆品", "打印机墨盒", "不锈钢水杯", "投影仪",
)  # fmt: skip
ITEMS_ZH_HANT: tuple[str, ...] = (
    "茶葉禮盒", "筆記型電腦", "陶瓷花瓶", "電子零件", "保養品", "咖啡機", "藍牙喇叭",
)  # fmt: skip
ITEMS_EN: tuple[str, ...] = (
    "ceramic tiles", "LED panels", "laptop batteries", "garden furniture",
    "textile samples", "machine parts", "glassware", "solar inverters", "office chairs",
)  # fmt: skip

# -- subjects ---------------------------------------------------------------

SUBJECTS: dict[str, dict[str, tuple[str, ...]]] = {
    "zh-Hans": {
        "damage": (
            "投诉：运单{wb}货物严重破损",
            "【投诉】收到的货物外包装破损，运单号{wb}",
            "货物损坏，请尽快处理（{wb}）",
        ),
        "delay": (
            "订单{po}物流延误投诉",
            "投诉：运单{wb}已超时{days}天未送达",
            "催件！{wb}迟迟不到",
        ),
        "loss": ("投诉：货物丢失 运单号{wb}", "快件丢失，要求赔偿（{wb}）"),
        "tracking": ("物流信息错误，运单{wb}显示已签收但未收到", "查询不到物流信息 {wb}"),
        "attitude": ("投诉快递员服务态度恶劣", "投诉派送员态度问题（运单{wb}）"),
        "billing": ("运费多收投诉 运单{wb}", "账单金额有误，请核实（{inv}）"),
    },
    "zh-Hant": {
        "damage": ("投訴：運單{wb}貨物嚴重破損", "貨物損壞，請盡快處理（{wb}）"),
        "delay": ("訂單{po}物流延誤投訴", "投訴：運單{wb}已逾期{days}天未送達"),
        "loss": ("貨物遺失投訴 運單號{wb}", "包裹遺失，要求賠償（{wb}）"),
        "tracking": ("物流資訊錯誤，運單{wb}顯示已簽收但未收到",),
        "attitude": ("投訴配送員服務態度惡劣", "投訴司機態度問題（運單{wb}）"),
        "billing": ("運費多收投訴 運單{wb}", "帳單金額有誤，請核實（{inv}）"),
    },
    "en": {
        "damage": (
            "Complaint: damaged shipment {wb}",
            "Goods arrived broken - waybill {wb}",
            "Damaged cargo on order {po}",
        ),
        "delay": (
            "Delayed delivery - order {po}",
            "Shipment {wb} is {days} days late",
            "Where is my parcel? {wb}",
        ),
        "loss": ("Lost parcel {wb}", "Claim for lost shipment {wb}"),
        "tracking": (
            "Tracking shows delivered but not received ({wb})",
            "Wrong tracking information for {wb}",
        ),
        "attitude": ("Complaint about your driver", "Rude courier on delivery of {wb}"),
        "billing": ("Overcharged freight on invoice {inv}", "Billing error on waybill {wb}"),
    },
}

# -- bodies ---------------------------------------------------------------------

GREETINGS: dict[str, tuple[str, ...]] = {
    "zh-Hans": ("您好！", "你好，", "客服您好：", "尊敬的利达物流客服："),
    "zh-Hant": ("您好：", "客服您好，", "敬啟者："),
    "en": ("Dear Sir or Madam,", "Hello,", "Hi there,", "Dear LiDa Customer Service,"),
}

# The first sentence of every topic names a waybill, so each complaint has one.
TOPIC_SENTENCES: dict[str, dict[str, tuple[str, ...]]] = {
    "zh-Hans": {
        "damage": (
            "我于{ship_date}从{city_from}寄往{city_to}的货物（运单号：{wb}），今天收到时外包装已经严重破损。",
            "箱子里的{item}有明显摔坏的痕迹，已经无法正常使用。",
            "签收时快递员催促我尽快签字，没有给我验货的时间。",
            "这批货价值约{amount}元，是要交付给客户的，现在耽误了我们的生意。",
            "同一批发出的另一票货（运单号{wb2}）也有轻微挤压变形。",
        ),
        "delay": (
            "订单{po}的货物于{ship_date}发出，运单号{wb}，承诺三天内送达，但到今天已经过去{days}天了，还没有收到。",
            "物流信息一直停留在{city_to}转运中心，没有任何更新。",
            "打了好几次客服电话都说在催，但是一直没有结果。",
            "这批货是急用的，延误已经给我们造成了损失。",
        ),
        "loss": (
            "我在{ship_date}寄出的快件（运单号{wb}）到现在都没有送到，物流信息显示在{city_to}网点后就再也没有更新。",
            "网点说货找不到了，让我等通知，但已经等了{days}天。",
            "包裹里是{item}，价值{amount}元，我要求全额赔偿。",
        ),
        "tracking": (
            "运单{wb}在系统中显示已于昨天签收，但是我本人和家人都没有收到任何包裹。",
            "签收人一栏写的是“门卫”，可是我们小区门卫说没有见过这个快递。",
            "官网查询显示的收件城市是{city_from}，明显录入错误。",
        ),
        "attitude": (
            "今天下午派送员（工号{courier}）送运单{wb}的货时态度非常恶劣，对我大声呵斥。",
            "我只是要求当面验货，他就说“爱要不要”，把包裹扔在地上就走了。",
            "希望贵公司严肃处理，并给我一个说法。",
        ),
        "billing": (
            "我的运单{wb}下单时报价是{amount}元，但是结算时被扣了{amount2}元。",
            "货物实际重量只有{kg}公斤，账单上却按{kg2}公斤计费。",
            "发票号{inv}上的金额与合同约定的价格不符，请核实后退还多收的运费。",
        ),
    },
    "zh-Hant": {
        "damage": (
            "我於{ship_date}從{city_from}寄往{city_to}的貨物（運單號：{wb}），今天收到時外包裝已經嚴重破損。",
            "箱子裡的{item}有明顯摔壞的痕跡，已經無法正常使用。",
            "這批貨價值約{amount}元，現在完全無法交貨給客戶。",
        ),
        "delay": (
            "訂單{po}的貨物於{ship_date}寄出，運單號{wb}，到今天已經過了{days}天還沒有收到。",
            "物流資訊一直停留在{city_to}轉運中心，沒有任何更新。",
        ),
        "loss": (
            "我在{ship_date}寄出的包裹（運單號{wb}）到現在都沒有送達，查詢紀錄在{city_to}營業所之後就沒有更新。",
            "營業所說貨物找不到了，請我等候通知，但已經等了{days}天。",
            "包裹內是{item}，價值{amount}元，我要求全額賠償。",
        ),
        "tracking": (
            "運單{wb}在系統中顯示昨天已經簽收，但是我和家人都沒有收到任何包裹。",
            "簽收人寫的是「管理室」，可是管理員說沒有看過這個包裹。",
        ),
        "attitude": (
            "今天下午配送員（工號{courier}）送運單{wb}的貨物時態度非常惡劣，對我大聲咆哮。",
            "我只是要求當面驗貨，他就把包裹丟在地上離開了。",
        ),
        "billing": (
            "我的運單{wb}下單時報價是{amount}元，但是結帳時被收了{amount2}元。",
            "發票號碼{inv}上的金額與合約價格不符，請核實後退還多收的運費。",
        ),
    },
    "en": {
        "damage": (
            "Our shipment from {city_from} to {city_to} (waybill {wb}), sent on {ship_date}, "
            "arrived today with the outer carton badly crushed.",
            "Several of the {item} inside are broken and cannot be sold.",
            "The driver insisted that I sign before I could inspect the goods.",
            "The value of the damaged goods is about {amount}.",
            "A second parcel from the same consignment, {wb2}, was also dented.",
        ),
        "delay": (
            "Order {po} was shipped on {ship_date} under waybill {wb} with a promised transit "
            "time of 3 days, but after {days} days it still has not arrived.",
            "The tracking page has shown 'in transit - {city_to} hub' for a week "
            "without any update.",
            "I have called your hotline three times and nobody could tell me where the goods are.",
            "Our customer is now threatening to cancel the order because of this delay.",
        ),
        "loss": (
            "The parcel with waybill {wb}, sent on {ship_date}, never arrived; the last "
            "tracking event is at your {city_to} depot.",
            "Your depot says the parcel cannot be found and asked me to wait, "
            "but it has been {days} days.",
            "The parcel contained {item} worth {amount} and I request full compensation.",
        ),
        "tracking": (
            "Your website says waybill {wb} was delivered yesterday, "
            "but nobody here received anything.",
            "The proof of delivery shows a signature that is not from anyone at our company.",
            "The destination city in your system is {city_from}, which is simply wrong.",
        ),
        "attitude": (
            "Your driver (ID {courier}) who delivered waybill {wb} this afternoon "
            "was extremely rude.",
            "When I asked to check the goods he shouted at me and threw the parcel on the floor.",
            "I expect an apology and I want to know what you are going to do about it.",
        ),
        "billing": (
            "For waybill {wb} we were quoted {amount}, but {amount2} was charged to our account.",
            "The actual weight was {kg} kg, yet the invoice bills {kg2} kg.",
            "Invoice {inv} does not match the rates in our contract; please refund the difference.",
        ),
    },
}

PHOTO_SENTENCES: dict[str, str] = {
    "zh-Hans": "我已经拍了照片，附件是破损情况的照片，请查看。",
    "zh-Hant": "附件是破損情況的照片，請查看。",
    "en": "Please find photos of the damage attached.",
}

DEMANDS: dict[str, tuple[str, ...]] = {
    "zh-Hans": (
        "请尽快给我答复，谢谢！",
        "希望贵公司尽快核实处理并给予赔偿。",
        "如果三天内没有答复，我将向消费者协会投诉。",
        "请尽快安排处理，盼复。",
    ),
    "zh-Hant": ("請盡快給我答覆，謝謝！", "希望貴公司盡快處理並給予賠償。"),
    "en": (
        "Please reply as soon as possible.",
        "I expect a response within 48 hours.",
        "Please let me know how you will resolve this.",
        "If I do not hear back, I will escalate this to our account manager.",
    ),
}

CLOSINGS: dict[str, tuple[str, ...]] = {
    "zh-Hans": ("此致\n敬礼", "谢谢！", "祝好"),
    "zh-Hant": ("敬祝 商祺", "謝謝！"),
    "en": ("Regards,", "Best regards,", "Thanks,", "Kind regards,"),
}

PHONE_LABEL: dict[str, str] = {"zh-Hans": "电话：", "zh-Hant": "電話：", "en": "Tel: "}

DISCLAIMERS: dict[str, str] = {
    "zh-Hans": (
        "本邮件及其附件含有{company}的保密信息，仅限于发送给上面地址中列出的个人或群组。"
        "禁止任何其他人以任何形式使用（包括但不限于全部或部分地泄露、复制、或散发）本邮件中的信息。"
        "如果您错收了本邮件，请您立即电话或邮件通知发件人并删除本邮件！"
    ),
    "zh-Hant": (
        "本電子郵件及其附件含有{company}之機密資訊，僅限於指定收件人使用。"
        "如您並非指定收件人，請勿使用、複製或散布本郵件內容，並請立即通知寄件人後刪除本郵件。"
    ),
    "en": (
        "CONFIDENTIALITY NOTICE: This e-mail message, including any attachments, is for the "
        "sole use of the intended recipient(s) of {company} and may contain confidential and "
        "privileged information. Any unauthorized review, use, disclosure or distribution is "
        "prohibited. If you are not the intended recipient, please contact the sender by reply "
        "e-mail and destroy all copies of the original message."
    ),
}

# -- padding sections (make sizes realistic) -------------------------------------

SECTION_TITLES: dict[str, dict[str, str]] = {
    "zh-Hans": {
        "tracking": "物流跟踪记录：",
        "goods": "货物明细：",
        "chat": "与派送员的聊天记录：",
    },
    "zh-Hant": {
        "tracking": "物流追蹤紀錄：",
        "goods": "貨物明細：",
        "chat": "與配送員的對話紀錄：",
    },
    "en": {
        "tracking": "Tracking history:",
        "goods": "Items in this shipment:",
        "chat": "My messages with the driver:",
    },
}

TRACKING_EVENTS: dict[str, tuple[str, ...]] = {
    "zh-Hans": (
        "【{city}转运中心】已揽收",
        "快件已到达【{city}集散中心】",
        "快件已从【{city}转运中心】发出，下一站【{city2}分拨中心】",
        "【{city}营业点】派件员正在为您派件",
        "快件在【{city}分拨中心】滞留，原因：天气原因延误",
        "快件已签收，签收人：门卫",
    ),
    "zh-Hant": (
        "【{city}轉運中心】已攬收",
        "貨件已到達【{city}營業所】",
        "貨件已從【{city}轉運中心】發出，下一站【{city2}營業所】",
        "配送中，配送員將於今日送達",
        "配送異常：地址不詳",
    ),
    "en": (
        "Shipment picked up - {city}",
        "Arrived at sort facility - {city}",
        "Departed facility - {city}, next stop {city2}",
        "Customs clearance in progress - {city}",
        "Out for delivery - {city}",
        "Delivery attempted - recipient not available",
        "Exception: shipment delayed due to weather - {city}",
    ),
}

GOODS_LINES: dict[str, str] = {
    "zh-Hans": "{i}. {item}（型号{sku}）× {qty}，单价{price}元",
    "zh-Hant": "{i}. {item}（型號{sku}）× {qty}，單價{price}元",
    "en": "{i}. {item} (SKU {sku}) x {qty} @ USD {price}",
}

CHAT_LINES: dict[str, tuple[str, ...]] = {
    "zh-Hans": (
        "[{time}] 我：师傅你好，我的快递什么时候能送到？",
        "[{time}] 派送员：今天送不了，明天再说。",
        "[{time}] 我：昨天你也是这么说的。",
        "[{time}] 派送员：不要就退回去。",
        "[{time}] 我：我要投诉你。",
        "[{time}] 派送员：随便你。",
    ),
    "zh-Hant": (
        "[{time}] 我：請問我的包裹什麼時候送到？",
        "[{time}] 配送員：今天沒辦法，明天再說。",
        "[{time}] 我：昨天你也是這樣說的。",
        "[{time}] 配送員：不要就退回去。",
    ),
    "en": (
        "[{time}] Me: Hi, when will my parcel be delivered?",
        "[{time}] Driver: Not today.",
        "[{time}] Me: You said the same thing yesterday.",
        "[{time}] Driver: Take it or leave it.",
        "[{time}] Me: I will have to complain about this.",
    ),
}

# -- follow-ups, auto-replies ------------------------------------------------------

FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    "zh-Hans": (
        "你好，我上周反映的问题到现在还没有处理结果，请尽快回复！",
        "已经过去{days}天了，请问处理进度如何？",
        "补充一下：对方今天又打电话来催货了，请务必尽快处理。",
        "请问赔偿什么时候能到账？",
    ),
    "zh-Hant": ("您好，我上週反映的問題到現在還沒有處理結果，請盡快回覆！", "請問處理進度如何？"),
    "en": (
        "I still have not heard back about the issue below. Any update?",
        "It has been {days} days now. Please tell me what is happening with my claim.",
        "Following up on my email below - our customer is asking again.",
        "When can I expect the refund?",
    ),
}

REPLY_PREFIXES: dict[str, tuple[str, ...]] = {
    "zh-Hans": ("Re: ", "回复：", "答复: ", "RE: "),
    "zh-Hant": ("Re: ", "回覆：", "RE: "),
    "en": ("Re: ", "RE: "),
}

ACK_SUBJECTS: dict[str, str] = {
    "zh-Hans": "[{ticket}] 我们已收到您的投诉",
    "zh-Hant": "[{ticket}] 我們已收到您的投訴",
    "en": "[{ticket}] We have received your complaint",
}

AUTO_REPLY_PREFIXES: dict[str, tuple[str, ...]] = {
    "zh-Hans": ("自动回复: ", "自动回复："),
    "zh-Hant": ("自動回覆: ",),
    "en": ("Automatic reply: ", "Out of Office: ", "Auto: "),
}

AUTO_REPLY_BODIES: dict[str, tuple[str, ...]] = {
    "zh-Hans": (
        "您好，我目前正在休假，{date}返回办公室，期间无法及时回复邮件。如有急事请联系我的同事。谢谢！",
        "这是一封自动回复邮件。您的来信已收到，我会尽快处理。",
    ),
    "zh-Hant": ("您好，我目前休假中，{date}返回辦公室，期間無法即時回覆郵件。謝謝！",),
    "en": (
        "Thank you for your email. I am out of the office until {date} with limited access "
        "to email. For urgent matters please contact our office.",
        "I am currently away and will reply to your message when I return on {date}.",
    ),
}
