"""Texts of the demo: the industries of each county, units, people. Real places and institutions, invented people.

Each county lists the industries its towns really live on (贡柑, 马蹄/荸荠, 茶叶, 香芋, 油茶, 黄烟, 蔬菜 …); a town's
needs are drawn from its county's list (a few towns have their own, named in ``TOWN_NEEDS``). Every name of a
person, every phone and ID number is invented.
"""
from __future__ import annotations

import datetime as dt

from core.china import make_id_number

# (topic used in team names, need title, need description, industry category, service types)
COUNTY_INDUSTRIES = {
    "440203": [  # 武江区
        ("高山蔬菜", "高山反季节蔬菜提质增效", "高山蔬菜品种老化、病虫害重，需要新品种引进、避雨栽培和绿色防控技术。", "蔬菜", ["guidance", "training"]),
        ("油茶", "油茶低产林改造", "油茶林老化低产，需要高接换冠、水肥管理技术，茶油加工设备简陋。", "林业/竹木", ["guidance", "transfer"]),
        ("柑橘", "沙糖桔黄龙病防控", "沙糖桔种植面积大，黄龙病、溃疡病多发，需要统防统治和健康种苗。", "果树", ["guidance", "training"]),
    ],
    "440204": [  # 浈江区
        ("竹产业", "毛竹林丰产与竹笋加工", "毛竹资源丰富，竹笋加工和竹材利用水平低，缺少初加工技术。", "林业/竹木", ["transfer", "entrepreneurship"]),
        ("蔬菜", "城郊蔬菜标准化生产", "城郊蔬菜基地连作障碍明显，需要土壤改良与设施栽培技术。", "蔬菜", ["guidance"]),
        ("沙田柚", "沙田柚品质提升", "沙田柚老果园树势衰退、裂果多，需要修剪、施肥和保果技术。", "果树", ["guidance", "training"]),
    ],
    "440205": [  # 曲江区
        ("罗坑茶", "罗坑茶标准化加工与品牌建设", "罗坑茶（单丛、红茶）品质好，但加工标准化程度低，需要加工工艺和电商营销。", "茶叶", ["transfer", "entrepreneurship"]),
        ("优质稻", "马坝油粘米优质稻生产", "优质稻种植分散、品种混杂，需要统一良种、机械化种植和稻米加工。", "粮食作物", ["guidance", "transfer"]),
        ("林下养殖", "林下家禽生态养殖", "走地鸡林下养殖分散，防疫和品牌建设不足。", "畜牧", ["guidance", "policy"]),
    ],
    "440222": [  # 始兴县
        ("中药材", "南药黄精种植技术", "想发展黄精、铁皮石斛等南药林下种植，缺乏种苗繁育和栽培技术。", "中药材", ["guidance", "training"]),
        ("枇杷杨梅", "枇杷杨梅提质增效", "枇杷、杨梅果园管理粗放，采后保鲜和加工能力弱。", "果树", ["guidance", "transfer"]),
        ("烤烟", "烤烟稻轮作提质", "烟叶种植面积大，烘烤损耗高，需要密集烤房和烟稻轮作技术。", "经济作物", ["guidance", "training"]),
    ],
    "440224": [  # 仁化县
        ("贡柑", "贡柑黄龙病绿色防控", "贡柑种植约数千亩，近年黄龙病多发，果农缺乏统防统治和无病种苗技术。", "果树", ["guidance", "training"]),
        ("白毛茶", "白毛茶加工提质", "白毛茶加工工艺落后、品质不稳定，希望引进红茶、白茶加工技术并打造品牌。", "茶叶", ["transfer", "guidance"]),
        ("黄烟", "黄烟生产全程机械化", "黄烟（烤烟）是主要经济作物，用工多、烘烤能耗高，需要机械化和节能烤房技术。", "经济作物", ["guidance", "transfer"]),
        ("生猪", "生猪养殖粪污资源化", "规模猪场粪污处理压力大，需要种养结合和有机肥生产技术。", "畜牧", ["guidance", "transfer"]),
    ],
    "440229": [  # 翁源县
        ("兰花", "兰花组培育苗", "兰花种植户多但组培育苗依赖外购，需要组培快繁和温室管理技术。", "花卉", ["transfer", "training"]),
        ("三华李", "三华李品质提升", "三华李挂果不稳、采后损耗大，需要保花保果和冷链保鲜技术。", "果树", ["guidance"]),
        ("九仙桃", "九仙桃标准化种植", "九仙桃老园多、品种单一，需要品种改良和病虫害绿色防控。", "果树", ["guidance", "training"]),
    ],
    "440232": [  # 乳源瑶族自治县
        ("马蹄", "马蹄脱毒种苗与高产栽培", "荸荠（马蹄）种苗退化、产量下降，需要脱毒种苗和高产栽培技术。", "蔬菜", ["guidance"]),
        ("瑶山茶", "瑶山高山茶生态种植", "瑶山高山茶管理粗放，需要生态茶园建设与茶旅融合规划。", "茶叶", ["guidance", "planning"]),
        ("彩色稻", "彩色稻农旅融合", "彩色稻田观光有基础，需要品种选育和农旅融合规划。", "乡村旅游", ["planning", "training"]),
    ],
    "440233": [  # 新丰县
        ("佛手瓜", "佛手瓜加工与电商", "合掌瓜（佛手瓜）鲜销为主、价格波动大，需要加工和电商营销。", "蔬菜", ["transfer", "entrepreneurship"]),
        ("鹤鸣茶", "云髻山茶叶品牌建设", "山区茶叶品质好但品牌弱，需要标准化加工和品牌策划。", "茶叶", ["transfer", "entrepreneurship"]),
        ("凉粉草", "凉粉草种植与加工", "凉粉草（仙草）种植面积扩大，缺乏烘干和深加工技术。", "中药材", ["guidance", "transfer"]),
    ],
    "440281": [  # 乐昌市
        ("香芋", "香芋连作障碍治理", "槟榔芋（香芋）品种退化、连作障碍严重，需要轮作和土壤改良技术。", "蔬菜", ["guidance"]),
        ("马蹄", "北乡马蹄产业提升", "马蹄种植面积大，种苗退化，缺少清洗、去皮等初加工设备。", "蔬菜", ["guidance", "transfer"]),
        ("黄金柰李", "黄金柰李保花保果", "黄金柰李开花期遇低温阴雨坐果率低，需要保花保果和品种改良技术。", "果树", ["guidance", "training"]),
        ("高山茶", "高山云雾茶管理与加工", "高山云雾茶种植管理粗放，需要茶园管理与加工技术。", "茶叶", ["guidance"]),
    ],
    "440282": [  # 南雄市
        ("黄烟", "南雄黄烟提质增效", "烟叶种植面积大，烘烤环节损耗高，需要密集烤房和烘烤工艺指导。", "经济作物", ["guidance", "training"]),
        ("银杏", "银杏（白果）精深加工", "银杏资源丰富但加工利用率低，需要深加工和乡村旅游规划。", "林业/竹木", ["transfer", "planning"]),
        ("食用菌", "林下香菇灵芝栽培", "林下食用菌种植起步，菌种和栽培技术缺乏。", "食用菌", ["guidance", "training"]),
        ("优质稻", "富硒优质稻生产", "优质稻种植分散、富硒米品牌弱，需要良种良法配套。", "粮食作物", ["guidance", "transfer"]),
    ],
}

# Towns with a need of their own (from the city's survey; the first one is the town's leading need).
TOWN_NEEDS = {
    "440224111": [("贡柑", "贡柑黄龙病绿色防控", "我镇贡柑种植约4000亩，近年黄龙病多发，果农缺乏统防统治和健康种苗技术。", "果树", ["guidance", "training"]),
                  ("白毛茶", "黄坑白毛茶加工提质", "白毛茶加工工艺落后，品质不稳定，希望引进红茶、白茶加工技术并打造品牌。", "茶叶", ["transfer", "guidance"])],
    "440224104": [("沙田柚", "长江镇沙田柚品质提升", "沙田柚老果园树势衰退，裂果多，需要修剪、施肥和保果技术。", "果树", ["guidance"])],
    "440224106": [("白毛茶", "红山镇高山茶园低产改造", "茶园老化、管理粗放，想发展生态茶园和茶旅融合。", "茶叶", ["guidance", "planning"])],
    "440282120": [("食用菌", "百顺镇香菇灵芝种植技术", "林下食用菌种植起步，菌种和栽培技术缺乏。", "食用菌", ["guidance", "training"])],
    "440282122": [("银杏", "帽子峰镇银杏产业开发", "银杏（白果）资源丰富但加工利用率低，需要深加工和乡村旅游规划。", "林业/竹木", ["transfer", "planning"])],
    "440282104": [("黄烟", "坪田镇烤烟提质增效", "烟叶种植面积大，烘烤环节损耗高，需要密集烤房和烘烤工艺指导。", "经济作物", ["guidance", "training"])],
    "440282113": [("乡村旅游", "珠玑镇乡村旅游与民宿", "珠玑古巷旅游资源好，但缺乏农文旅融合规划和民宿运营培训。", "乡村旅游", ["planning", "training", "entrepreneurship"])],
    "440203103": [("高山蔬菜", "江湾镇高山蔬菜种植", "高山反季节蔬菜品种老化，病虫害重，需要新品种和绿色防控。", "蔬菜", ["guidance"])],
    "440203104": [("油茶", "重阳镇油茶低产林改造", "油茶林老化低产，茶油加工设备简陋。", "林业/竹木", ["guidance", "transfer"])],
    "440204104": [("竹产业", "花坪镇竹产业提升", "毛竹资源丰富，竹笋加工和竹材利用水平低。", "林业/竹木", ["transfer", "entrepreneurship"])],
    "440205109": [("罗坑茶", "罗坑镇罗坑茶品牌建设", "罗坑茶（单丛、红茶）品质好，需要标准化加工与电商营销。", "茶叶", ["transfer", "entrepreneurship"])],
    "440205103": [("林下养殖", "小坑镇家禽林下养殖", "走地鸡林下养殖分散，防疫和品牌建设不足。", "畜牧", ["guidance", "policy"])],
    "440222105": [("中药材", "司前镇中药材种植", "想发展黄精、铁皮石斛等南药种植，缺乏种苗和栽培技术。", "中药材", ["guidance", "training"])],
    "440222104": [("优质稻", "罗坝镇优质稻生产", "优质稻种植分散，品种混杂，需要统一良种和稻米加工。", "粮食作物", ["guidance", "transfer"])],
    "440229114": [("兰花", "新江镇兰花产业", "兰花种植户多但组培育苗依赖外购，需要组培技术。", "花卉", ["transfer", "training"])],
    "440232113": [("瑶山茶", "必背镇瑶族特色农业与旅游", "瑶山茶和瑶族文化旅游待开发，需要规划设计和技能培训。", "乡村旅游", ["planning", "training"])],
    "440232112": [("马蹄", "游溪镇马蹄种植", "荸荠（马蹄）种苗退化、产量下降，需要脱毒种苗。", "蔬菜", ["guidance"])],
    "440233104": [("佛手瓜", "遥田镇佛手瓜产业", "合掌瓜（佛手瓜）鲜销为主，价格波动大，需要加工和电商。", "蔬菜", ["transfer", "entrepreneurship"])],
    "440281111": [("高山茶", "五山镇高山茶叶", "高山云雾茶种植管理粗放，需要茶园管理与加工技术。", "茶叶", ["guidance"])],
    "440281112": [("香芋", "两江镇香芋种植", "槟榔芋（香芋）品种退化，连作障碍严重。", "蔬菜", ["guidance"])],
    "440281110": [("香芋", "黄圃镇香芋绿色种植", "黄圃香芋有地理标志，但连作障碍和疫病严重，需要轮作和绿色防控。", "蔬菜", ["guidance", "training"])],
    "440281102": [("马蹄", "北乡镇马蹄产业提升", "北乡马蹄种苗退化，缺少清洗、去皮等初加工设备。", "蔬菜", ["guidance", "transfer"])],
}

# Expertise of a team working on a topic (what the matching engine reads).
TOPIC_EXPERTISE = {
    "高山蔬菜": "高山蔬菜新品种选育、设施避雨栽培与病虫害绿色防控", "蔬菜": "蔬菜标准化生产、土壤改良与连作障碍治理",
    "油茶": "油茶低产林改造、高接换冠与茶油加工", "柑橘": "柑橘黄龙病综合防控与绿色高效栽培",
    "竹产业": "毛竹丰产培育、竹笋加工与竹材利用", "沙田柚": "沙田柚等柚类果树修剪施肥与保果技术",
    "罗坑茶": "茶叶标准化加工、单丛红茶工艺与品牌电商", "优质稻": "优质稻良种繁育、机械化种植与稻米加工",
    "林下养殖": "家禽林下生态养殖、疫病防控与品牌建设", "中药材": "南药（黄精、铁皮石斛）种苗繁育与林下栽培",
    "枇杷杨梅": "枇杷杨梅果园管理、采后保鲜与加工", "烤烟": "烤烟栽培、密集烤房烘烤工艺与烟稻轮作",
    "贡柑": "贡柑黄龙病综合防控、无病种苗与绿色栽培", "白毛茶": "白毛茶、红茶加工工艺与茶叶品牌建设",
    "黄烟": "黄烟（烤烟）机械化生产与节能烘烤", "生猪": "生猪健康养殖与畜禽粪污资源化利用",
    "兰花": "兰花组培快繁与温室栽培管理", "三华李": "三华李保花保果与冷链保鲜",
    "九仙桃": "桃树品种改良与病虫害绿色防控", "马蹄": "荸荠（马蹄）脱毒种苗、高产栽培与初加工",
    "瑶山茶": "生态茶园建设、高山茶加工与茶旅融合规划", "彩色稻": "彩色稻品种选育与农旅融合规划",
    "佛手瓜": "佛手瓜栽培、农产品加工与电商营销", "鹤鸣茶": "茶叶标准化加工与品牌策划",
    "凉粉草": "凉粉草种植、烘干与深加工", "香芋": "香芋（槟榔芋）脱毒种苗、轮作与土壤改良",
    "黄金柰李": "柰李保花保果、品种改良与果园管理", "高山茶": "高山茶园管理与名优茶加工",
    "银杏": "银杏（白果）精深加工与森林旅游规划", "食用菌": "香菇、灵芝等食用菌菌种选育与林下栽培",
    "乡村旅游": "农文旅融合规划、民宿运营与乡村旅游培训",
}

# (name, kind, first 17 characters of the unified social credit code, short name for team names). The institutions
# are real; the codes are made valid by their check character (core.china.make_credit_code), not looked up.
UNITS = [
    ("华南农业大学", "university", "12440000455416300", "华农"),
    ("广东省农业科学院", "institute", "12440000455858022", "省农科院"),
    ("韶关学院", "university", "12440200455906003", "韶大"),
    ("仲恺农业工程学院", "university", "12440000455351004", "仲恺"),
    ("韶关市农业科技推广中心", "extension", "12440200MB2C56005", "市农技中心"),
    ("广东省科学院微生物研究所", "institute", "12440000455864006", "省微生物所"),
    ("华南理工大学", "university", "12440000455416718", "华工"),
    ("广东药科大学", "university", "12440000455860127", "广药大"),
    ("广东省林业科学研究院", "institute", "12440000455863331", "省林科院"),
    ("广东省科学院动物研究所", "institute", "12440000455864552", "省动物所"),
    ("广东海洋大学", "university", "12440000456000263", "广海大"),
    ("韶关市农业科学研究所", "institute", "12440200455907448", "市农科所"),
]

# The unit best placed for each topic (the first is the lead unit; teams rotate over the list).
TOPIC_UNITS = {
    "茶叶": ["广东省农业科学院", "华南农业大学", "韶关学院"], "果树": ["华南农业大学", "仲恺农业工程学院", "广东省农业科学院"],
    "蔬菜": ["广东省农业科学院", "仲恺农业工程学院", "韶关市农业科学研究所"], "林业/竹木": ["广东省林业科学研究院", "华南农业大学"],
    "粮食作物": ["广东省农业科学院", "韶关市农业科学研究所", "华南农业大学"], "畜牧": ["广东省科学院动物研究所", "华南农业大学"],
    "中药材": ["广东药科大学", "广东省农业科学院"], "经济作物": ["华南农业大学", "韶关市农业科技推广中心"],
    "花卉": ["仲恺农业工程学院", "广东省农业科学院"], "食用菌": ["广东省科学院微生物研究所", "韶关学院"],
    "乡村旅游": ["华南理工大学", "韶关学院"],
}

SURNAMES = "李王张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐邓冯曾彭萧蔡潘田董袁叶钟温赖邱"
GIVEN = ["伟", "芳", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "建华", "志强",
         "海燕", "国平", "丽华", "文辉", "振宇", "晓东", "春梅", "嘉欣", "永健", "少华", "锦荣", "德明", "慧玲", "立新",
         "雪梅", "俊杰", "伟雄", "楚君", "泽林", "淑贞", "子豪", "美玲", "家豪", "惠珍"]
TITLES = [  # (title, level, education, specialty)
    ("研究员", "senior", "doctor", "农学"), ("教授", "senior", "doctor", "园艺学"),
    ("副研究员", "associate", "doctor", "植物保护"), ("副教授", "associate", "master", "农业资源与环境"),
    ("高级农艺师", "associate", "bachelor", "作物栽培"), ("农艺师", "intermediate", "master", "土壤肥料"),
    ("助理研究员", "intermediate", "doctor", "食品科学"), ("讲师", "intermediate", "master", "农业经济管理"),
]


def person_name(index: int) -> str:
    return SURNAMES[(index * 7) % len(SURNAMES)] + GIVEN[(index * 11 + index // len(SURNAMES)) % len(GIVEN)]


def person_phone(index: int) -> str:
    return "13%d%08d" % (5 + index % 5, 27510000 + index * 37)


def person_id(index: int) -> str:
    """A valid, invented ID number, distinct for each index (born 1962–1990)."""
    return make_id_number("440203", dt.date(1962, 1, 5) + dt.timedelta(days=index * 13 % 10220), 100 + index % 800)


def person_fields(index: int, unit, topic: str) -> dict:
    title, level, education, specialty = TITLES[index % len(TITLES)]
    return dict(name=person_name(index), gender="female" if index % 3 == 1 else "male", phone=person_phone(index),
                unit=unit, title=title, title_level=level, education=education, specialty=specialty,
                expertise_keywords="、".join(TOPIC_EXPERTISE.get(topic, topic).replace("与", "、").split("、")[:3]),
                bio="长期从事%s研究与技术推广。" % TOPIC_EXPERTISE.get(topic, topic))


# ---------------------------------------------------------------------------------------------- agreements, projects
# Invented (示意): what a team and its town agree on, and the projects a team writes from the town's needs. Each
# industry category has its practice (what the project does), the demonstration it builds, three years' plans, the
# measure of its demonstration and its budget lines (category, note); a project draws from its need's category.
AGREEMENT_TEXT = {
    "summary": "围绕%(town)s%(topic)s产业发展需求，乙方派驻团队成员驻镇开展技术指导、技能培训和成果转化，建设示范基地，"
               "三年累计驻镇帮扶不少于365天，带动农户增收（示意）。",
    "team_duties": "组织团队成员定期驻镇，每年驻镇服务累计不少于120天；按帮扶项目开展技术指导、培训和示范推广；建立工作台账，"
                   "按时报送服务活动、驻镇时间和年度总结。",
    "town_duties": "协调落实示范基地用地和示范农户；每季度召开一次工作对接会；组织农户、合作社参加培训；为团队工作提供便利。",
    "work_team_duties": "统筹安排团队驻镇工作任务，督促落实帮扶计划，确认团队服务活动和驻镇时间，反映群众意见。",
    "conditions": "镇政府提供办公室1间、宿舍%(rooms)d间，镇内交通由镇农业办协调；提供%(topic)s试验示范用地约%(mu)d亩。",
}
AGREEMENT_RETURN = "协议第三条未写明团队每年驻镇时间，示范基地用地面积与镇里商定的不一致，请修改后重新签署上传。"
AGREEMENT_FIX = "每年驻镇服务累计不少于120天，其中团队负责人不少于30天；示范用地以镇农业办书面确认的面积为准。"

PRACTICE = {  # category -> (practice, demonstration, [plan year 1, 2, 3], varieties?, [(budget category, note)])
    "果树": ("良种良法与病虫害绿色防控", "标准化示范果园",
             ["引进无病苗木和抗性砧木，建设示范果园，开展春梢期病虫害统防统治和修剪培训",
              "推广水肥一体化和绿色防控技术，举办田间学校和果园观摩，开展果品质量检测",
              "总结技术规程，扩大示范面积，开展效益评估和技术推广"], True,
             [("materials", "无病苗木、有机肥、生物农药"), ("demonstration", "示范果园水肥一体化设施"),
              ("training", "田间学校及技术培训"), ("testing", "土壤与果品质量检测")]),
    "茶叶": ("生态茶园管理与加工提质", "生态茶园和标准化加工车间",
             ["改造低产茶园，建设生态茶园示范片，开展茶园管理和采摘培训",
              "引进红茶、白茶加工工艺，改造加工车间，开展制茶技能培训和茶叶品质评比",
              "制定加工技术规程，培育茶叶品牌，开展电商营销培训"], True,
             [("equipment", "揉捻机、萎凋槽等加工设备"), ("demonstration", "生态茶园示范片建设"),
              ("training", "制茶技能培训"), ("publication", "加工技术规程及品牌设计")]),
    "蔬菜": ("绿色高效栽培与土壤改良", "蔬菜标准化示范基地",
             ["引进适宜品种，建设示范基地，开展土壤改良和轮作技术培训",
              "推广避雨栽培、水肥一体化和绿色防控，开展田间观摩",
              "总结栽培技术规程，发展订单生产，开展效益评估"], True,
             [("materials", "种苗、土壤调理剂、防虫网"), ("demonstration", "示范基地避雨设施"),
              ("training", "种植技术培训"), ("travel", "团队成员驻镇交通、住宿")]),
    "林业/竹木": ("低产林改造与林产品加工", "低产林改造示范片",
                 ["调查林分现状，实施高接换冠和抚育改造，开展林农培训",
                  "建设初加工示范点，推广加工技术，开展产品质量检测",
                  "总结改造技术模式，扩大推广面积，培育加工经营主体"], False,
                 [("materials", "良种穗条、肥料"), ("equipment", "初加工设备"), ("training", "林农技术培训"),
                  ("travel", "团队成员驻镇交通、住宿")]),
    "粮食作物": ("良种良法配套与机械化生产", "优质稻示范片",
                ["筛选优质高产品种，建设示范片，开展机械化育插秧培训",
                 "推广测土配方施肥和病虫害绿色防控，开展稻米品质检测",
                 "总结良种良法配套技术，培育稻米品牌，开展效益评估"], True,
                [("materials", "良种、配方肥"), ("demonstration", "示范片机械化作业"), ("testing", "稻米品质检测"),
                 ("training", "种植技术培训")]),
    "畜牧": ("健康养殖与粪污资源化利用", "生态养殖示范场",
             ["评估养殖场现状，建设示范场，开展疫病防控和健康养殖培训",
              "推广粪污资源化利用和种养结合技术，开展有机肥试验",
              "总结生态养殖模式，培育养殖品牌，开展效益评估"], False,
             [("equipment", "粪污处理设备"), ("materials", "疫苗、饲料添加剂"), ("training", "养殖技术培训"),
              ("testing", "疫病检测和有机肥检测")]),
    "中药材": ("种苗繁育与林下生态种植", "南药林下种植示范基地",
               ["建设种苗繁育圃，开展林下种植试验和种植户培训",
                "推广林下生态种植技术，开展药材质量检测和初加工培训",
                "总结种植技术规程，对接药企订单收购，扩大种植面积"], True,
               [("materials", "种苗、基质"), ("demonstration", "林下种植示范基地建设"), ("testing", "药材质量检测"),
                ("training", "种植技术培训")]),
    "经济作物": ("机械化生产与节能烘烤", "烟稻轮作示范片",
                ["建设示范片，推广烟稻轮作和机械化移栽，开展烘烤技术培训",
                 "改造密集烤房，推广节能烘烤工艺，开展烟叶质量检测",
                 "总结全程机械化技术模式，扩大推广面积，开展效益评估"], False,
                [("equipment", "节能烤房改造"), ("materials", "种苗、肥料"), ("training", "烘烤技术培训"),
                 ("travel", "团队成员驻镇交通、住宿")]),
    "花卉": ("组培快繁与设施栽培", "组培育苗示范室和示范温室",
             ["建设组培室，开展组培快繁试验和花农培训",
              "推广温室栽培管理技术，开展种苗质量检测",
              "总结组培育苗技术规程，发展订单生产，培育花卉经营主体"], True,
             [("equipment", "组培设备"), ("materials", "培养基、种苗"), ("training", "组培与栽培技术培训"),
              ("demonstration", "示范温室改造")]),
    "食用菌": ("优良菌种选育与林下栽培", "食用菌林下栽培示范基地",
               ["引进优良菌种，建设示范基地，开展菌棒制作和栽培培训",
                "推广林下栽培和烘干保鲜技术，开展产品质量检测",
                "总结栽培技术规程，发展合作社订单生产，开展效益评估"], True,
               [("materials", "菌种、菌棒原料"), ("equipment", "烘干设备"), ("training", "栽培技术培训"),
                ("travel", "团队成员驻镇交通、住宿")]),
    "乡村旅游": ("农文旅融合规划与经营培训", "农文旅融合示范点",
                 ["调查旅游资源，编制农文旅融合规划，开展民宿经营培训",
                  "建设示范点，设计研学和观光线路，开展导游和电商技能培训",
                  "总结经营模式，打造乡村旅游品牌，开展效益评估"], False,
                 [("consulting", "规划编制专家咨询"), ("demonstration", "示范点建设"), ("training", "经营与服务技能培训"),
                  ("publication", "宣传资料设计印制")]),
}
PROJECT_RETURN = "预算明细中培训费测算依据不足，年度计划未写明示范面积和培训场次，请细化后重新报送。"
CHANGE_APPROVED = "示范基地所在村增加连片种植面积，农户参与意愿强，申请扩大示范面积并相应调整预算。"
CHANGE_REJECTED = "拟将部分示范基地建设费调整为设备费，购置与项目目标关系不大的通用设备。"


def project_text(*, town, need, topic: str, category: str, second: bool = False) -> dict:
    """Title, objectives, content and the three years' plans of an invented project on ``need`` (示意)."""
    practice, demonstration, plans, _varieties, _lines = PRACTICE.get(category, PRACTICE["蔬菜"])
    base = need.title if need.title.startswith(town.name) else "%s%s" % (town.name, need.title)
    industry = topic if topic.endswith("产业") else topic + "产业"
    title = ("%s%s技能培训与品牌提升" % (town.name, industry)) if second else ("%s技术集成示范" % base)
    objectives = ("围绕“%s”需求，集成推广%s技术，建设%s，培育一批懂技术的新型职业农民和经营主体，带动农户增收（示意）。"
                  % (need.title, practice, demonstration))
    content = ("1. %s；2. 开展%s技术培训和现场指导，编写实用技术手册；3. 联结合作社和农户推广新技术、新品种，"
               "跟踪示范效果，形成可复制的技术模式。" % (plans[0], topic))
    return {"title": title[:100], "objectives": objectives, "content": content, "plans": plans}


# ---------------------------------------------------------------------------------------------- expert review (示意)
# The expert pools: (username, name, field, keywords, title, title rank, unit name). Invented people in real units;
# several sit in the units the demo's teams come from (华南农业大学, 广东省农业科学院, 仲恺农业工程学院, 韶关学院), so the
# panels show conflicts of interest. ``expert`` (the demo login) is the city pool's 曾德明.
CITY_EXPERTS = [
    ("zj_liuyonghong", "刘永红", "果树栽培", "柑橘、贡柑、沙糖桔、黄龙病、沙田柚、三华李、李、桃", "研究员", "senior",
     "华南农业大学"),
    ("zj_chenliping", "陈丽萍", "茶叶栽培与加工", "茶叶、白毛茶、红茶、单丛、茶园管理、品牌", "研究员", "senior",
     "广东省农业科学院"),
    ("zj_huangzhenhua", "黄振华", "蔬菜栽培", "蔬菜、马蹄、香芋、佛手瓜、设施栽培、连作障碍、脱毒种苗", "教授", "senior",
     "仲恺农业工程学院"),
    ("zj_dengzhiming", "邓志明", "食用菌", "食用菌、香菇、菌种、林下栽培、烘干", "研究员", "senior",
     "广东省科学院微生物研究所"),
    ("zj_liangshuzhen", "梁淑贞", "畜禽养殖", "生猪、家禽、走地鸡、林下养殖、粪污资源化、防疫", "研究员", "senior",
     "广东省科学院动物研究所"),
    ("zj_wuhaiyan", "吴海燕", "水产养殖", "水产、稻渔综合种养、鱼类养殖、水质调控", "教授", "senior", "广东海洋大学"),
    ("expert", "曾德明", "植物保护", "病虫害绿色防控、黄龙病、统防统治、农药减量、植保", "研究员", "senior",
     "华南农业大学"),
    ("zj_luochunmei", "罗春梅", "农产品加工", "农产品加工、精深加工、保鲜、烘干、茶叶加工、稻米加工", "教授", "senior",
     "华南理工大学"),
    ("zj_zhongwenhui", "钟文辉", "农村电商与品牌", "电商、品牌、营销、乡村旅游、农文旅融合", "副教授", "associate",
     "韶关学院"),
    ("zj_hejiaxin", "何嘉欣", "中药材", "中药材、南药、黄精、凉粉草、林下种植", "教授", "senior", "广东药科大学"),
    ("zj_yeguoping", "叶国平", "林业", "油茶、竹产业、毛竹、低产林改造、林下经济", "教授级高级工程师", "senior",
     "广东省林业科学研究院"),
    ("zj_wenlixin", "温立新", "作物栽培", "优质稻、烤烟、黄烟、机械化、彩色稻、土壤改良", "推广研究员", "senior",
     "韶关市农业科技推广中心"),
]
# One expert of the city's pool is away (not available): the panels pass over them.
CITY_EXPERT_AWAY = ("zj_wuhaiyan", "2022年起赴湛江挂职，暂不能参加评审")
COUNTY_EXPERTS = {  # county code -> the county's pool, same columns
    "440224": [  # 仁化县
        ("zj_rh_tanjunjie", "谭俊杰", "果树栽培", "贡柑、柑橘、黄龙病、沙田柚", "高级农艺师", "associate",
         "仁化县农业技术推广中心"),
        ("zj_rh_panmeiling", "潘美玲", "茶叶", "白毛茶、红茶、茶园管理、茶叶加工", "高级农艺师", "associate",
         "仁化县农业农村局"),
        ("zj_rh_caiyongjian", "蔡永健", "作物栽培", "黄烟、烤烟、机械化、优质稻", "推广研究员", "senior",
         "韶关市农业科学研究所"),
        ("zj_rh_dengshaohua", "邓少华", "畜牧兽医", "生猪、粪污资源化、有机肥、家禽", "高级兽医师", "associate",
         "仁化县动物疫病预防控制中心"),
        ("zj_rh_xiaohuizhen", "萧惠珍", "农产品加工", "农产品加工、电商、品牌、保鲜", "副教授", "associate", "韶关学院"),
    ],
    "440282": [  # 南雄市
        ("zj_nx_yuanzelin", "袁泽林", "作物栽培", "烤烟、黄烟、优质稻、机械化", "高级农艺师", "associate",
         "南雄市农业技术推广中心"),
        ("zj_nx_laixuemei", "赖雪梅", "蔬菜栽培", "蔬菜、马蹄、香芋、设施栽培", "高级农艺师", "associate",
         "南雄市农业农村局"),
        ("zj_nx_qiujiahao", "邱家豪", "果树栽培", "银杏、柑橘、沙田柚、果树", "农艺师", "intermediate", "南雄市林业局"),
        ("zj_nx_tianchujun", "田楚君", "农业经济", "电商、品牌、合作社、乡村旅游", "教授", "senior", "仲恺农业工程学院"),
    ],
}
# The county that decides its teams' projects in a single approval step in the first cycle.
SINGLE_STEP_COUNTY = "440232"  # 乳源瑶族自治县
REVIEW_COMMENTS = [
    "项目紧扣镇域产业需求，技术路线清晰，示范推广指标具体，建议加强与合作社的利益联结。",
    "团队专业力量较强，前期对接基础好；建议细化年度培训计划，明确每期培训对象和人数。",
    "技术方案总体可行，经费测算基本合理；示范基地选址应优先考虑连片种植区域。",
    "预期效益测算偏乐观，建议补充增收测算依据；其余内容同意。",
]
OUTLIER_COMMENT = "项目目标与现有基础差距较大，示范面积和带动农户数偏多，经费中设备费比例偏高，建议压减。"
DECLINE_REASON = "本人与该团队负责人共同承担在研的省级科研项目，存在合作关系，申请回避。"
RELATION_REASON = "曾在该团队派出单位兼职，近三年与团队负责人合作发表论文"
PANEL_OPINION = ("专家组认为：项目紧扣%(town)s%(topic)s产业需求，技术路线可行，团队力量较强，示范推广指标具体，"
                 "经费安排基本合理（专家组平均分%(mean)s分），同意立项。")
CHANGES_OPINION = "专家组认为：项目方向正确，但设备购置费比例偏高、年度示范指标不够具体，建议修改后立项。"
CHANGES_COMMENT = "请压减设备购置费，细化每年示范面积和培训场次，按核定金额调整预算后报科技局备案。"
REJECT_OPINION = "专家组认为：项目内容与该团队已立项项目的培训内容重复，培训对象和经费测算依据不清。"
REJECT_COMMENT = "项目与该团队已立项项目内容重复，经费测算依据不足，不予立项，可并入已立项项目实施。"
SINGLE_COMMENT = "经县科技局审核，项目符合本县帮扶工作安排，同意立项。"
