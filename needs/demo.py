"""Illustrative needs for the demo towns (real local industries; the wording is invented)."""
import datetime as dt

from needs.models import IndustryCategory, Need, SurveyCampaign, CampaignTown, TownProfile
from needs.search import index_needs
from regions.models import Town

DEMO_NEEDS = [
    ("440224111", "贡柑黄龙病绿色防控", "我镇贡柑种植约4000亩，近年黄龙病多发，果农缺乏统防统治和健康种苗技术。", "果树", ["guidance", "training"]),
    ("440224111", "红山白毛茶加工提质", "白毛茶加工工艺落后，品质不稳定，希望引进红茶、白茶加工技术并打造品牌。", "茶叶", ["transfer", "guidance"]),
    ("440224104", "长江镇沙田柚品质提升", "沙田柚老果园树势衰退，裂果多，需要修剪、施肥和保果技术。", "果树", ["guidance"]),
    ("440224106", "红山镇高山茶园低产改造", "茶园老化、管理粗放，想发展生态茶园和茶旅融合。", "茶叶", ["guidance", "planning"]),
    ("440224108", "董塘镇生猪养殖粪污资源化", "规模猪场粪污处理压力大，需要种养结合和有机肥技术。", "畜牧", ["guidance", "transfer"]),
    ("440282120", "百顺镇香菇灵芝种植技术", "林下食用菌种植起步，菌种和栽培技术缺乏。", "食用菌", ["guidance", "training"]),
    ("440282122", "帽子峰镇银杏产业开发", "银杏（白果）资源丰富但加工利用率低，需要深加工和乡村旅游规划。", "林业/竹木", ["transfer", "planning"]),
    ("440282104", "坪田镇烤烟提质增效", "烟叶种植面积大，烘烤环节损耗高，需要密集烤房和烘烤工艺指导。", "经济作物", ["guidance", "training"]),
    ("440282113", "珠玑镇乡村旅游与民宿", "珠玑古巷旅游资源好，但缺乏农文旅融合规划和民宿运营培训。", "乡村旅游", ["planning", "training", "entrepreneurship"]),
    ("440203103", "江湾镇高山蔬菜种植", "高山反季节蔬菜品种老化，病虫害重，需要新品种和绿色防控。", "蔬菜", ["guidance"]),
    ("440203104", "重阳镇油茶低产林改造", "油茶林老化低产，茶油加工设备简陋。", "林业/竹木", ["guidance", "transfer"]),
    ("440204104", "花坪镇竹产业提升", "毛竹资源丰富，竹笋加工和竹材利用水平低。", "林业/竹木", ["transfer", "entrepreneurship"]),
    ("440205109", "罗坑镇罗坑茶品牌建设", "罗坑茶（单丛、红茶）品质好，需要标准化加工与电商营销。", "茶叶", ["transfer", "entrepreneurship"]),
    ("440205103", "小坑镇家禽林下养殖", "走地鸡林下养殖分散，防疫和品牌建设不足。", "畜牧", ["guidance", "policy"]),
    ("440222105", "司前镇中药材种植", "想发展黄精、铁皮石斛等南药种植，缺乏种苗和栽培技术。", "中药材", ["guidance", "training"]),
    ("440222104", "罗坝镇马坝油粘米优质稻", "优质稻种植分散，品种混杂，需要统一良种和稻米加工。", "粮食作物", ["guidance", "transfer"]),
    ("440229114", "新江镇兰花产业", "兰花种植户多但组培育苗依赖外购，需要组培技术。", "花卉", ["transfer", "training"]),
    ("440232113", "必背镇瑶族特色农业与旅游", "瑶山茶和瑶族文化旅游待开发，需要规划设计和技能培训。", "乡村旅游", ["planning", "training"]),
    ("440232112", "游溪镇马蹄种植", "荸荠（马蹄）种苗退化、产量下降，需要脱毒种苗。", "蔬菜", ["guidance"]),
    ("440233104", "遥田镇佛手瓜产业", "合掌瓜（佛手瓜）鲜销为主，价格波动大，需要加工和电商。", "蔬菜", ["transfer", "entrepreneurship"]),
    ("440281111", "五山镇高山茶叶", "高山云雾茶种植管理粗放，需要茶园管理与加工技术。", "茶叶", ["guidance"]),
    ("440281112", "两江镇香芋种植", "槟榔芋（香芋）品种退化，连作障碍严重。", "蔬菜", ["guidance"]),
]


def load_needs_demo(cycle, actor):
    """Needs, a city survey and a few profiles for the demo; idempotent."""
    if Need.objects.filter(cycle=cycle).exists():
        return
    categories = {c.name: c for c in IndustryCategory.objects.all()}
    towns = {t.code: t for t in Town.objects.filter(code__in=[row[0] for row in DEMO_NEEDS])}
    needs = []
    for index, (code, title, description, category, services) in enumerate(DEMO_NEEDS):
        needs.append(Need.objects.create(
            cycle=cycle, town=towns[code], title=title, description=description, category=categories[category],
            service_types=services, surveyed_by="示意调研组", surveyed_on=dt.date(2026, 10, 20),
            status="submitted" if index % 5 == 4 else "confirmed", created_by=actor))
    index_needs(needs)
    campaign = SurveyCampaign.objects.create(
        cycle=cycle, title="2026年市级组团重点帮扶镇科技需求调研", organizer_level="city", city=actor.city,
        due_date=dt.date(2026, 12, 15), created_by=actor, instructions="请各镇填写镇域发展情况并填报科技需求。")
    city_towns = Town.objects.filter(classifications__cycle=cycle, classifications__organizing_level="city")
    for town in city_towns:
        CampaignTown.objects.create(campaign=campaign, town=town)
    TownProfile.objects.get_or_create(cycle=cycle, town=towns["440224111"], defaults=dict(
        population=21000, households=5600, leading_industries="贡柑、白毛茶、生猪",
        characteristic_products="仁化贡柑、红山白毛茶", technical_base="有贡柑合作社3家，茶叶加工厂2家",
        main_problems="黄龙病防控难，茶叶加工标准化程度低", contact_name="黄坑镇农业办", contact_phone="0751-6388001"))
