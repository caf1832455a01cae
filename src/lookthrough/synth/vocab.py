"""Words the synthetic province is made of (fictional people and businesses, real geography)."""

from __future__ import annotations

from dataclasses import dataclass

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力梅鑫鹏斌宇浩凯丹峰琳雪晨欣婷帆颖俊波志海东亮宁翔飞林婉思雨嘉瑞"
)
# 字号 characters: the auspicious words shop and company names are made of, in groups that sound
# alike (the slips people make writing a name they heard: 鑫 for 欣). Groups run from the most
# used to the least, and so do the characters inside a group: a few characters (鑫, 源, 华 …)
# are in a great many names, most in few — as in a real register, where 字号 repeat across
# industries and places but a name is unique where it is registered (``entities.build``).
TRADE_GROUPS = " ".join(
    [
        "鑫欣新馨心信昕 源园元远圆缘苑 华化花骅桦 盛胜晟升圣 泰太钛 隆龙珑 恒衡亨",
        "达大 兴星幸杏 佳家嘉加 康慷 福富甫 德得 瑞锐睿蕊 丰风峰锋枫凤 顺舜",
        "金今锦晋进 安 宏洪鸿红弘虹 昌常畅长 汇会辉惠慧徽 通同彤桐 诚城成承程",
        "百佰柏 万 和合禾荷 益亿怡艺逸 永勇涌 利力立丽 祥翔香湘 发 贵桂 荣容融蓉",
        "兆照 旺王 辰晨 光广 明名鸣铭 正政 中忠众钟 悦越月岳 润闰 泽则 博搏波",
        "捷杰洁 品聘 味未伟维威 鲜先贤仙 天添田 美每梅 千乾谦 凯开 豪浩昊 鼎定丁",
        "创 裕宇玉誉 雅亚 骏俊君 海 山善 旗齐奇启琪 平萍 坤昆 青清庆晴 仁",
        "志智致 文 蓝兰澜 阳扬洋 旭 晶景京精 宝保 高 世时实 吉 乐 茂 春纯",
        "林霖 松嵩 云韵运",
    ]
).split(" ")
TRADE = [c for group in TRADE_GROUPS for c in group]


def trade_weights() -> list[float]:
    """How often each ``TRADE`` character is drawn (Zipf-like over groups and within them)."""
    weights = [
        (rank + 1) ** -0.6 * (k + 1) ** -1.0
        for rank, group in enumerate(TRADE_GROUPS)
        for k in range(len(group))
    ]
    total = sum(weights)
    return [w / total for w in weights]


# The trade characters of the first synthetic provinces (kept so that the rest of a seed's
# businesses — places, people, sizes, propensities — are drawn exactly as before).
FIRST_TRADE_COUNT = 64
ROADS = [
    "长江",
    "黄山",
    "金寨",
    "望江",
    "芜湖",
    "宿州",
    "淮河",
    "巢湖",
    "徽州",
    "寿春",
    "繁华",
    "胜利",
    "人民",
    "解放",
    "和平",
    "建设",
    "文化",
    "工业",
    "花园",
    "滨湖",
    "翡翠",
    "天鹅湖",
    "包河",
    "临泉",
    "颍州",
    "皖江",
    "九华山",
    "天柱山",
    "大别山",
    "明光",
    "振兴",
    "团结",
    "幸福",
    "光明",
    "青年",
]
ROAD_KIND = ["路", "大道", "街", "巷"]
FORMS_COMPANY = ["有限公司", "有限责任公司", "股份有限公司"]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    label: str
    share: float  # fraction of businesses (0 for "general", which takes the rest)
    codes: list[str]  # GB/T 4754-2017 industry codes
    words: list[str]  # words that end business names in this field
    individual: float  # share registered as 个体工商户


# Fields the policy names, each with GB/T 4754-2017 industry codes and words for names.
# share: fraction of businesses; kind: 1 enterprise-heavy, 2 individual-heavy (个体工商户).
FIELDS: dict[str, FieldSpec] = {
    "catering": FieldSpec(
        "餐饮服务",
        0.22,
        ["H6210", "H6220", "H6291"],
        ["饭店", "餐馆", "小吃店", "面馆", "快餐店", "火锅店", "烧烤店"],
        0.85,
    ),
    "food_retail": FieldSpec(
        "食品销售",
        0.18,
        ["F5221", "F5223", "F5212"],
        ["超市", "便利店", "粮油店", "生鲜店", "食品店"],
        0.8,
    ),
    "food_wholesale": FieldSpec(
        "食品批发", 0.03, ["F5121", "F5124"], ["粮油批发部", "商贸有限公司", "食品经营部"], 0.4
    ),
    "edible_oil": FieldSpec("食用油生产", 0.002, ["C1331"], ["粮油", "油脂", "植物油"], 0.0),
    "meat": FieldSpec("肉及肉制品", 0.003, ["C1351", "C1353"], ["肉类食品", "屠宰", "食品"], 0.1),
    "dairy": FieldSpec("乳制品", 0.0008, ["C1441"], ["乳业", "乳品", "牧业"], 0.0),
    "infant_formula": FieldSpec("婴幼儿配方乳粉", 0.0001, ["C1442"], ["乳业", "营养品"], 0.0),
    "food_production": FieldSpec(
        "其他食品生产", 0.01, ["C1431", "C1491"], ["食品", "糕点", "调味品"], 0.2
    ),
    "property": FieldSpec(
        "物业管理（电梯使用单位）", 0.004, ["K7020"], ["物业管理", "物业服务"], 0.0
    ),
    "elevator_maintenance": FieldSpec(
        "电梯维保", 0.0001, ["C3435"], ["电梯工程", "机电设备", "电梯"], 0.0
    ),
    "gas_filling": FieldSpec("气瓶充装", 0.00008, ["D4512"], ["液化气", "燃气"], 0.0),
    "cable": FieldSpec("电线电缆", 0.0004, ["C3831"], ["电缆", "线缆", "电线"], 0.0),
    "gas_appliance": FieldSpec("燃气器具", 0.0002, ["C3861"], ["燃气具", "厨具"], 0.0),
    "ebike": FieldSpec("电动自行车", 0.0003, ["C3762"], ["电动车", "车业"], 0.0),
    "live_commerce": FieldSpec("直播电商", 0.04, ["F5292"], ["电子商务", "网络科技", "商贸"], 0.6),
    "general": FieldSpec(
        "其他行业",
        0.0,
        ["F5211", "F5231", "O8010", "L7212", "F5274", "R9011"],
        ["商贸", "服装店", "五金店", "家政服务", "咨询服务", "文化传媒"],
        0.7,
    ),
}

FINDINGS: dict[str, list[str]] = {
    "catering": [
        "后厨卫生状况差，地面有积水油污",
        "从业人员未持有效健康证明",
        "食品原料未按规定索证索票",
        "冷藏设施温度不达标",
        "餐具消毒设施未正常使用",
        "使用超过保质期的食品原料",
    ],
    "food_retail": [
        "销售超过保质期的食品",
        "未建立进货查验记录",
        "散装食品未标明生产日期",
        "冷链食品储存温度不符合要求",
    ],
    "food_wholesale": ["未建立进货查验记录", "未查验供货者许可证", "仓储条件不符合要求"],
    "edible_oil": [
        "原料验收记录不全",
        "出厂检验项目缺项",
        "生产环境不符合规范",
        "未执行食品安全追溯制度",
    ],
    "meat": ["未落实肉品品质检验", "冷库温度记录缺失", "未按规定留样"],
    "dairy": ["生乳验收记录不全", "出厂检验项目缺项", "生产车间洁净度不达标"],
    "infant_formula": [
        "未按规定开展生产质量管理体系自查",
        "原辅料进货查验不到位",
        "批次检验记录不全",
    ],
    "food_production": ["生产环境不符合规范", "出厂检验记录不全", "超范围使用食品添加剂"],
    "property": [
        "电梯未按期进行定期检验",
        "电梯安全管理人员未持证",
        "应急救援演练记录缺失",
        "电梯使用标志未张贴",
    ],
    "elevator_maintenance": ["维保记录弄虚作假", "维保人员未持证上岗", "未按规定周期维保"],
    "gas_filling": ["充装前未检查气瓶", "超期未检气瓶仍在充装", "充装记录不全"],
    "cable": ["产品导体电阻不合格", "未按标准进行出厂检验", "生产许可证过期"],
    "gas_appliance": ["熄火保护装置不合格", "未标注燃气种类", "出厂检验不全"],
    "ebike": ["私自改装提升车速", "未取得CCC认证", "蓄电池标识不规范"],
    "live_commerce": [
        "直播宣传使用“最”“第一”等绝对化用语",
        "未公示营业执照信息",
        "虚构交易量",
        "商品质量与宣传不符",
    ],
    "general": ["未按规定公示营业执照", "经营场所与登记不一致", "未明码标价"],
}

# Sampling: product and test items per field (item, unit, limit, typical value, fail value).
SAMPLING: dict[str, tuple[str, list[tuple[str, str, str, float, float]]]] = {
    "edible_oil": (
        "食用植物油",
        [
            ("酸价(KOH)", "mg/g", "≤3", 0.6, 4.8),
            ("过氧化值", "g/100g", "≤0.25", 0.08, 0.38),
            ("苯并[a]芘", "μg/kg", "≤10", 2.1, 14.0),
        ],
    ),
    "meat": (
        "猪肉",
        [
            ("克伦特罗", "μg/kg", "不得检出", 0.0, 1.2),
            ("挥发性盐基氮", "mg/100g", "≤15", 9.0, 21.0),
        ],
    ),
    "dairy": (
        "纯牛奶",
        [("蛋白质", "g/100g", "≥2.9", 3.2, 2.6), ("菌落总数", "CFU/g", "≤100000", 800, 380000)],
    ),
    "infant_formula": (
        "婴儿配方乳粉",
        [
            ("蛋白质", "g/100kJ", "0.45~0.70", 0.55, 0.38),
            ("阪崎肠杆菌", "/100g", "不得检出", 0.0, 1.0),
        ],
    ),
    "food_production": (
        "糕点",
        [("菌落总数", "CFU/g", "≤10000", 600, 56000), ("脱氢乙酸", "g/kg", "≤0.5", 0.1, 0.9)],
    ),
    "food_retail": (
        "散装熟食",
        [("菌落总数", "CFU/g", "≤10000", 900, 42000), ("大肠菌群", "CFU/g", "≤10", 2, 90)],
    ),
    "food_wholesale": (
        "大米",
        [("镉(以Cd计)", "mg/kg", "≤0.2", 0.05, 0.31), ("黄曲霉毒素B1", "μg/kg", "≤10", 1.2, 16.0)],
    ),
    "catering": (
        "餐饮具",
        [
            ("大肠菌群", "/50cm²", "不得检出", 0.0, 3.0),
            ("阴离子合成洗涤剂", "mg/100cm²", "不得检出", 0.0, 0.02),
        ],
    ),
    "cable": (
        "电线电缆",
        [("导体电阻", "Ω/km", "≤1.83", 1.7, 2.4), ("绝缘厚度", "mm", "≥0.7", 0.8, 0.55)],
    ),
    "gas_appliance": ("家用燃气灶", [("熄火保护装置", "s", "≤60", 25, 95)]),
    "ebike": (
        "电动自行车",
        [("最高车速", "km/h", "≤25", 24, 38), ("整车质量", "kg", "≤55", 50, 68)],
    ),
}

COMPLAINT_TEMPLATES = [
    "我在{name}消费，{problem}，希望市场监管部门调查处理。",
    "{name}（{addr}）{problem}，商家拒不退款，请求处理。",
    "投诉{name}：{problem}。要求退一赔三。",
    "{addr}附近的{name}{problem}，已经不是第一次了。",
    "反映{name}{problem}，请相关部门尽快核实。",
    "昨天在{name}买的东西{problem}，找商家协商未果。",
]
COMPLAINT_PROBLEMS: dict[str, list[str]] = {
    "catering": [
        "吃完后腹泻呕吐",
        "饭菜里有头发和虫子",
        "卫生条件很差，后厨脏乱",
        "使用地沟油嫌疑",
        "菜品分量与菜单不符",
    ],
    "food_retail": [
        "卖过期食品",
        "价格标签与结算价不一致",
        "散装食品没有生产日期",
        "冷柜里的肉有异味",
    ],
    "live_commerce": [
        "直播间宣称“全网最低”“第一品牌”，收到货后质量很差",
        "虚假宣传，夸大功效",
        "发货商品与直播展示不符",
        "七天无理由退货被拒",
    ],
    "property": ["小区电梯经常困人", "电梯频繁故障停运", "电梯年检标志过期"],
    "general": ["不明码标价", "短斤少两", "售后服务态度恶劣", "办卡后商家跑路"],
}
BANNED_CLAIMS = ["全网最低价", "第一品牌", "国家级产品", "最佳效果", "万能", "顶级"]
PLATFORMS = [
    ("快抖直播", "91110105MA01A0001", "11"),
    ("淘惠商城", "91330110MA2B0002", "33"),
    ("拼好购", "91310115MA1K0003", "31"),
    ("京选优品", "91110302MA01C0004", "11"),
    ("红薯直播", "91440300MA5D0005", "44"),
]
