"""Default keyword lists for category and severity (simplified, traditional, English).

Plain data, no matching logic: :mod:`complaintd.classify.rules` turns it into
``DEFAULT_RULES``.  Each list is written as ``|``-separated text, one line per language
(simplified, traditional, English), so it stays readable and diffable.

How a keyword is matched (see :mod:`complaintd.classify.matching`):

* Chinese keywords match as substrings; Latin keywords match case-insensitively on
  whole words (``late`` does not fire in ``latest`` or ``template``), a space matches any
  run of whitespace and a trailing ``*`` accepts any word ending (``damag*``).
* At one position the longest keyword wins and the text it covers is used up, so a
  specific phrase outranks the generic word inside it: ``missing tracking`` counts for
  ``information``, not ``missing`` for ``loss``.  That is also why some phrases below
  start with a negation word (``没有物流信息``, ``no tracking``): they are complaints,
  and matching them whole keeps the negation check off them.
* Bare ``tracking`` / ``追踪`` are deliberately absent: ``tracking number`` / ``追踪号``
  appear in nearly every complaint and would drag everything to ``information``.
"""

from __future__ import annotations


def words(text: str) -> tuple[str, ...]:
    """Split a ``|``/newline-separated keyword block into stripped, non-empty keywords."""
    items = (item.strip() for line in text.splitlines() for item in line.split("|"))
    return tuple(item for item in items if item)


# category -> keywords.  Order inside a list does not matter (longest match wins).
CATEGORY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "delay": words("""
        延误|延迟|迟迟|迟到|晚到|晚了|太慢|很慢|这么慢|速度慢|还没到|还没有到|一直没到|怎么还没
        还没送|没送到|没有送到|未送达|未送到|没收到|没有收到|未收到|收不到|还没收到|超时|逾期
        几天了|好几天|催|滞留|卡在|停滞|积压|时效|没派送|不派送
        延誤|延遲|遲遲|遲到|還沒到|還沒有到|一直沒到|沒送到|未送達|沒收到|沒有收到|超時
        幾天了|好幾天|滯留|積壓
        delay|delayed|delays|late|arrived late|overdue|slow|not delivered|not been delivered
        not yet delivered|undelivered|not arrived|still not arrived|hasn't arrived
        has not arrived|haven't arrived|not received|haven't received|have not received
        still waiting|stuck|taking so long|took too long|behind schedule
        missed the delivery date|past the delivery date|missed the deadline
        missing the deadline
    """),
    "damage": words("""
        破损|损坏|压坏|摔坏|砸坏|碰坏|弄坏|坏了|坏掉|变形|破了|碎|裂|漏液|漏了|泄漏|渗漏|受潮
        进水|泡水|湿了|发霉|凹陷|压扁|撕破|变质|划痕|刮花
        破損|損壞|壓壞|摔壞|砸壞|碰壞|弄壞|壞了|壞掉|變形|洩漏|滲漏|進水|濕了|發霉|壓扁|變質
        劃痕
        damage|damaged|damages|damaging|broken|broke|crushed|dented|cracked|shattered
        smashed|leaking|leaked|leak
        wet|soaked|torn|ripped|scratched|deformed|spoiled|mouldy|moldy|in pieces
    """),
    "loss": words("""
        丢失|丢件|丢了|丢包|弄丢|遗失|少件|缺件|少了|缺少|短少|漏发|少发|找不到|不见了|被偷
        被盗|冒领|代签|冒签|显示签收|显示已签收|数量不对|数量不符
        丟失|丟件|丟了|丟包|弄丟|遺失|漏發|少發|不見了|被盜|冒領|代簽|冒簽|顯示簽收|顯示已簽收
        數量不對|數量不符
        lost|missing|never arrived|never received|never delivered|can't find|cannot find
        stolen|short shipped|short delivery|shows delivered|shows as delivered
        marked as delivered|signed for by someone else
    """),
    "information": words("""
        物流信息|物流状态|查不到|查询不到|不更新|没更新|没有更新|未更新|轨迹|无法追踪|无法跟踪
        追踪不到|跟踪不到|追踪信息|跟踪信息|状态不对|状态错误|信息错误|信息有误|信息不对
        显示错误|没有物流信息|没有任何物流信息|无物流信息|缺少物流信息|没有信息|信息丢失
        轨迹丢失|物流信息丢失|找不到物流信息|查不到物流信息
        物流資訊|物流狀態|查詢不到|沒更新|沒有更新|軌跡|無法追蹤|追蹤不到|追蹤信息|追蹤資訊
        狀態不對|狀態錯誤|信息錯誤|資訊錯誤|沒有物流信息|沒有物流資訊|無物流信息|軌跡丟失
        資訊丟失
        tracking information|tracking info|tracking status|tracking page|tracking shows
        tracking says|tracking not updated|not updated|no update|no updates
        hasn't been updated|has not been updated|not been updated|wrong status
        incorrect status|status is wrong|no information|no tracking|no tracking information
        missing tracking|tracking is missing|tracking information is missing|cannot track
        can't track|unable to track|invalid tracking
    """),
    "attitude": words("""
        态度|态度差|态度恶劣|服务态度|服务差|骂|骂人|辱骂|不耐烦|粗鲁|凶|吼|推诿|推卸|不理人
        爱理不理|没人理|没人管|挂电话|挂断|不接电话|威胁|傲慢|敷衍|不礼貌|没礼貌
        態度|態度差|態度惡劣|服務態度|服務差|罵|罵人|辱罵|不耐煩|粗魯|兇|推諉|沒人理|掛電話
        不接電話|威脅|不禮貌|沒禮貌
        rude|rudely|impolite|attitude|shouted|shouting|yelled|unprofessional|hung up
        disrespectful|arrogant|insulted|swore|bad service|poor service|refused to help
    """),
    "billing": words("""
        运费|多收|收费|乱收费|多扣|扣费|多付|账单|发票|价格|价钱|报价|费用|退款|退钱|太贵|加价
        附加费|保价费|计费|对账
        運費|亂收費|收費|扣費|帳單|賬單|發票|價格|價錢|報價|費用|太貴|加價|附加費|計費|對賬
        overcharged|overcharge|charged twice|double charged|freight charge|freight charges
        shipping fee|shipping cost|delivery fee|invoice|billing|bill|price|pricing|refund
        fee|fees|surcharge|extra charge|quotation|too expensive
    """),
}

# (rule name, severity, keywords).  The rule name says which clause of the severity
# definition fired; it is stored on the ticket together with the keyword.
SEVERITY_KEYWORDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "serious.safety",
        "serious",
        words("""
            人身|受伤|伤人|砸伤|割伤|烫伤|危险|爆炸|起火|着火|冒烟|火灾|中毒|安全隐患|伤亡|住院
            受傷|傷人|砸傷|割傷|燙傷|危險|著火|冒煙|火災|安全隱患|傷亡
            injured|injury|injuries|hurt|dangerous|danger|caught fire|on fire|fire hazard
            explosion|exploded|smoke|poisoning|toxic|hospital|safety hazard
        """),
    ),
    (
        "serious.unusable",
        "serious",
        words("""
            无法使用|不能用|不能使用|没法用|用不了|报废|完全损坏|全部损坏|全部破损|全部碎|无法修复
            无法销售|无法出售|不能销售|無法銷售|unsellable|cannot be sold|can't be sold
            無法使用|沒法用|報廢|完全損壞|全部損壞|全部破損|無法修復
            unusable|cannot be used|can't be used|can not be used|useless|write-off|write off
            written off|total loss|beyond repair|destroyed|ruined
        """),
    ),
    (
        "serious.business_stopped",
        "serious",
        words("""
            停产|停工|停线|影响生产|耽误生产|生产线|无法生产|无法开工|无法交货|违约|罚款|重大损失
            巨大损失|损失惨重
            停產|停線|影響生產|耽誤生產|生產線|無法生產|無法交貨|違約|罰款|重大損失|巨大損失
            production stopped|production halted|stopped production|production line|halted
            line down|line stopped|shut down|cannot produce|penalty|breach of contract
            huge loss|heavy losses
        """),
    ),
    (
        "serious.mass_incident",
        "serious",
        words("""
            批量|大量|大批|集体投诉|多位客户|多个客户
            集體投訴|多位客戶|多個客戶
            mass|many customers|multiple customers|large number|hundreds of|dozens of
        """),
    ),
    (
        "serious.media_legal",
        "serious",
        words("""
            媒体|记者|曝光|律师|起诉|法院|诉讼|法律途径|12315|12305|消协|消费者协会|市场监管
            邮政管理局|报社|电视台
            媒體|記者|律師|起訴|訴訟|法律途徑|消協|消費者協會|郵政管理局|報社|電視台
            lawyer|attorney|solicitor|legal action|lawsuit|court|sue you|will sue|going to sue
            media|journalist|reporter|newspaper|the press|regulator
        """),
    ),
    (
        "important.appearance",
        "important",
        words("""
            外观|划痕|刮花|刮痕|变形|凹陷|褪色|弄脏|污渍|包装破损
            外觀|劃痕|變形|弄髒|污漬|包裝破損
            scratch|scratched|scratches|dent|dented|dents|poor appearance|stained|dirty|faded
            deformed|bent|damaged packaging|packaging damaged|box damaged
        """),
    ),
    (
        "important.below_expectation",
        "important",
        words("""
            不满意|影响使用|质量差|不理想|瑕疵|部分损坏|部分破损
            不滿意|影響使用|質量差|部分損壞|部分破損
            below expectation|below expectations|not satisfied|dissatisfied|unsatisfied
            disappointed|partially|partial|defect|defective|flaw
        """),
    ),
    (
        "important.shortage",
        "important",
        words("""
            少了|少件|缺件|短少|少发|数量不对|数量不符
            少發|數量不對|數量不符
            shortage|short by|fewer than|items missing|missing items
        """),
    ),
)
