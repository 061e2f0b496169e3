#!/usr/bin/env python3
"""Check a labelled farmer matching set (issue 22): ``python3 bench/check_farmer_sets.py farmer1``.

Checks, for the set named on the command line (files ``bench/data/<set>_needs.csv``, ``<set>_teams.csv``,
``<set>_gold.csv``):

* exact headers, field formats and lengths as the brief (``bench/data/farmer_sets_BRIEF.md``) asks;
* town codes: 9 digits, present in ``bench/data/farmer_towns.csv`` with the same name, each town once;
* teams: ids unique with the set's prefix, 3-5 专业领域 items, 简介 30-100 characters,
  意向 (0-3) and 前期对接 (0-2) codes only from the set's towns;
* gold: every town exactly once, every team present, one-to-one, a reason for each, at least 15 traps
  (reasons starting with "陷阱"), and a plausible number of distractor teams;
* need texts (title and description) never name a disease, pest, disorder, discipline or technical method
  (``NEED_BANNED``);
* team texts (name, fields, summary) never name a Shaoguan local product or a Shaoguan place
  (``LOCAL_PRODUCTS`` + every town and county name of the towns list, with and without its suffix).

Standard library only. Exits 1 and prints every offending row and word; exits 0 with a short summary otherwise.
"""
import csv
import re
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

NEEDS_HEADER = ["镇代码", "镇名称", "需求标题", "需求描述", "产业类别", "服务类型"]
TEAMS_HEADER = ["团队编号", "团队名称", "派出单位", "专业领域", "团队简介", "意向镇代码", "前期对接镇代码", "服务类型"]
GOLD_HEADER = ["镇代码", "团队编号", "理由"]
SERVICE_TYPES = {"技术指导", "技能培训", "成果转化", "创业辅导", "政策宣传", "规划设计"}
SET_PREFIX = {"farmer1": "A", "farmer2": "B"}

# Words a farmer or town official would not write: names of diseases, pests, disorders, disciplines and
# technical methods. Substring match on 需求标题 + 需求描述.
NEED_BANNED = sorted(set("""
青枯病 青枯 炭疽病 炭疽 疫病 疫霉 黄龙病 霜霉病 霜霉 根腐病 软腐病 白粉病 锈病 稻瘟病 稻瘟 纹枯病 白叶枯 细条病
恶苗病 稻曲病 立枯病 猝倒病 枯萎病 枯萎 黄萎病 灰霉病 菌核病 溃疡病 溃疡 疮痂病 黑星病 褐斑病 叶斑病 灰斑病 煤烟病
流胶病 花叶病 病毒病 病毒 曲叶病 黄化曲叶 姜瘟 根结线虫 赤星病 野火病 黑胫病 秆枯病 腐败病 褐腐病 穿孔病 缩叶病
根肿病 茎基腐 蔓枯病 黑腐病 环腐病 镰刀菌 绿霉 木霉 链孢霉 黄曲霉 细菌 真菌 病原 病菌
蓟马 红蜘蛛 蚜虫 蚜 螟 线虫 粉虱 潜叶蛾 实蝇 果蝇 天牛 小菜蛾 夜蛾 跳甲 叶蝉 飞虱 钻心虫 介壳虫 蚧 木虱 螨
锈壁虱 蛴螬 地老虎 金龟子 福寿螺 白蚁 象甲 蝼蛄 盲蝽 食心虫 柿蒂虫 蛀果蛾 尺蠖 松毛虫 小蠹 瘿蚊 负泥虫 稻苞虫
斑潜蝇 潜叶蝇 笋夜蛾
瘟 口蹄疫 蓝耳 伪狂犬 圆环 细小病毒 流行性腹泻 传染性胃肠炎 气喘病 支原体 球虫 新城疫 禽流感 法氏囊 马立克
传染性支气管炎 传染性鼻炎 鸡痘 大肠杆菌 沙门氏菌 巴氏杆菌 链球菌 嗜血杆菌 乳房炎 子宫内膜炎 瘤胃 臌气 前胃弛缓
酮病 白肌病 佝偻病 寄生虫 血矛线虫 肝片吸虫 绦虫 蛔虫 疥螨 浆膜炎 里默氏 烂鳃病 出血病 小瓜虫 车轮虫 指环虫
水霉病 脑膜炎 腐皮病 囊状幼虫病 幼虫腐臭病 胸膜肺炎 坏死性肠炎
缺素 缺钾 缺硼 缺钙 缺镁 缺锌 缺铁 缺硒 盐渍化 次生盐渍 酸化 连作障碍 僵苗 坐蔸 粒化 裂果 日灼 冻害 寒害 落果
生理性 黄化病 脐腐 早衰 缺乏症
植物保护 植保 病理 栽培学 营养学 育种 遗传 工程 规划学 管理学 昆虫学 微生物 生理学 土壤学 农学 园艺学 兽医学
动物医学 畜牧学 水产养殖学 林学 食品科学 经济学 市场营销 电子商务 旅游管理 城乡规划 风景园林 生态学 生物技术
组培 组织培养 分子 基因 免疫 疫苗 药理 流行病学 诊断学 中药学 炮制 发酵工程 脱毒 测土配方 水肥一体化 生物防治
绿色防控 综合防控 统防统治 性诱 抗药性 供应链管理 冷链物流
""".split()))

# Shaoguan local (branded / geographical-indication) product names and non-town place names a team
# must not use; every town and county name of the towns list is added at run time.
LOCAL_PRODUCTS = sorted(set("""
马坝油粘米 马坝油粘 油粘米 仁化贡柿 贡柿 南雄银杏 翁源兰花 始兴枇杷 乳源高山茶 九峰柰李 黄金柰李 柰李 沙田柚 黄烟 笋干
香芋 乐昌香芋 罗坑茶 白毛茶 仁化白毛茶 乐昌白毛茶 三华李 翁源三华李 九仙桃 北乡马蹄 乐昌马蹄 南雄板鸭 南雄腊鸭
新丰佛手瓜 堆花米酒 堆花 乳源彩石 始兴杨梅 曲江香芋 长坝沙田柚 南雄黄烟 南雄香菇
韶关 韶州 粤北 丹霞山 丹霞 珠玑巷 珠玑古巷 南华寺 曹溪 车八岭 云髻山 南岭 梅关 梅岭 北江 南水湖 广东大峡谷 必背瑶寨
""".split()))

SUFFIXES = ("街道", "镇", "乡", "林场", "管理区")


def load_towns():
    towns, places = {}, set()
    with open(DATA / "farmer_towns.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            code, name, county = row["镇代码"], row["镇名称"], row["县区"]
            towns[code] = name
            places.add(name)
            places.add(county)
            for part in re.split(r"矿务局|（|）", name):
                stem = part
                for suf in SUFFIXES:
                    if stem.endswith(suf):
                        stem = stem[: -len(suf)]
                        break
                if stem.endswith("瑶族"):
                    stem = stem[:-2]
                if len(stem) >= 2 and "产业转移工业园" not in stem:
                    places.add(stem)
            if "工业园" in name:
                places.add("大岭山")
            c = county
            for suf in ("瑶族自治县", "县", "区", "市"):
                if c.endswith(suf):
                    c = c[: -len(suf)]
                    break
            places.add(c)
    places = {p for p in places if len(p) >= 2}
    return towns, places


def read(path, header, problems):
    if not path.exists():
        problems.append(f"{path.name}: file missing")
        return []
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0] != header:
        problems.append(f"{path.name}: header {rows[0] if rows else None} != {header}")
        return []
    out = []
    for i, r in enumerate(rows[1:], start=2):
        if len(r) != len(header):
            problems.append(f"{path.name} line {i}: {len(r)} columns, expected {len(header)}: {r}")
            continue
        out.append((i, dict(zip(header, [x.strip() for x in r]))))
    return out


def check_services(fname, line, value, problems):
    items = [s for s in value.split("；")]
    if not value or any(s not in SERVICE_TYPES for s in items) or len(set(items)) != len(items):
        problems.append(f"{fname} line {line}: bad 服务类型 {value!r}")


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    name = argv[1]
    problems = []
    towns, places = load_towns()
    local_words = sorted(set(LOCAL_PRODUCTS) | places, key=len, reverse=True)

    # ---- needs
    nf = DATA / f"{name}_needs.csv"
    needs = read(nf, NEEDS_HEADER, problems)
    set_codes = []
    for line, r in needs:
        code = r["镇代码"]
        if not re.fullmatch(r"\d{9}", code):
            problems.append(f"{nf.name} line {line}: 镇代码 {code!r} is not 9 digits")
        elif code not in towns:
            problems.append(f"{nf.name} line {line}: 镇代码 {code} not in farmer_towns.csv")
        elif towns[code] != r["镇名称"]:
            problems.append(f"{nf.name} line {line}: 镇名称 {r['镇名称']} != {towns[code]} for {code}")
        if code in set_codes:
            problems.append(f"{nf.name} line {line}: town {code} appears twice")
        set_codes.append(code)
        if not r["需求标题"] or len(r["需求标题"]) > 30:
            problems.append(f"{nf.name} line {line}: 需求标题 empty or longer than 30 characters")
        n = len(r["需求描述"])
        if not 40 <= n <= 150:
            problems.append(f"{nf.name} line {line}: 需求描述 has {n} characters (40-150)")
        cats = r["产业类别"].split("+")
        if not r["产业类别"] or len(cats) > 2 or any(not c for c in cats):
            problems.append(f"{nf.name} line {line}: bad 产业类别 {r['产业类别']!r}")
        check_services(nf.name, line, r["服务类型"], problems)
        text = r["需求标题"] + " " + r["需求描述"]
        for w in NEED_BANNED:
            if w in text:
                problems.append(f"{nf.name} line {line} ({r['镇名称']}): need text names a disease/pest/discipline word {w!r}")
    code_set = set(set_codes)

    # ---- teams
    tf = DATA / f"{name}_teams.csv"
    teams = read(tf, TEAMS_HEADER, problems)
    prefix = SET_PREFIX.get(name, "[A-Z]")
    team_ids = []
    for line, r in teams:
        tid = r["团队编号"]
        if not re.fullmatch(prefix + r"\d{2}", tid):
            problems.append(f"{tf.name} line {line}: 团队编号 {tid!r} does not match {prefix}NN")
        if tid in team_ids:
            problems.append(f"{tf.name} line {line}: 团队编号 {tid} appears twice")
        team_ids.append(tid)
        for col in ("团队名称", "派出单位"):
            if not r[col]:
                problems.append(f"{tf.name} line {line}: empty {col}")
        fields = r["专业领域"].split("；")
        if not 3 <= len(fields) <= 5 or any(not x for x in fields):
            problems.append(f"{tf.name} line {line}: 专业领域 has {len(fields)} items (3-5)")
        n = len(r["团队简介"])
        if not 30 <= n <= 100:
            problems.append(f"{tf.name} line {line}: 团队简介 has {n} characters (30-100)")
        for col, lo, hi in (("意向镇代码", 0, 3), ("前期对接镇代码", 0, 2)):
            codes = [c for c in r[col].split("；") if c] if r[col] else []
            if not lo <= len(codes) <= hi:
                problems.append(f"{tf.name} line {line}: {col} has {len(codes)} codes ({lo}-{hi})")
            if len(set(codes)) != len(codes):
                problems.append(f"{tf.name} line {line}: {col} repeats a code")
            for c in codes:
                if c not in code_set:
                    problems.append(f"{tf.name} line {line}: {col} code {c} is not a town of set {name}")
        check_services(tf.name, line, r["服务类型"], problems)
        text = " ".join((r["团队名称"], r["专业领域"], r["团队简介"]))
        for w in local_words:
            if w in text:
                problems.append(f"{tf.name} line {line} ({tid}): team text names a Shaoguan product/place {w!r}")
    team_set = set(team_ids)

    # ---- gold
    gf = DATA / f"{name}_gold.csv"
    gold = read(gf, GOLD_HEADER, problems)
    seen_towns, seen_teams, traps = set(), set(), 0
    for line, r in gold:
        code, tid = r["镇代码"], r["团队编号"]
        if code not in code_set:
            problems.append(f"{gf.name} line {line}: gold town {code} is not in {nf.name}")
        if code in seen_towns:
            problems.append(f"{gf.name} line {line}: gold town {code} appears twice")
        seen_towns.add(code)
        if tid not in team_set:
            problems.append(f"{gf.name} line {line}: gold team {tid} is not in {tf.name}")
        if tid in seen_teams:
            problems.append(f"{gf.name} line {line}: gold team {tid} used for two towns (must be one-to-one)")
        seen_teams.add(tid)
        if len(r["理由"]) < 10:
            problems.append(f"{gf.name} line {line}: 理由 missing or too short")
        if r["理由"].startswith("陷阱"):
            traps += 1
    missing = code_set - seen_towns
    if missing:
        problems.append(f"{gf.name}: towns without gold: {sorted(missing)}")
    if traps < 15:
        problems.append(f"{gf.name}: only {traps} trap reasons (need at least 15 starting with 陷阱)")
    distractors = len(team_set - seen_teams)
    if needs and not 40 <= len(needs) <= 60:
        problems.append(f"{nf.name}: {len(needs)} towns (about 50 expected)")
    if teams and not 60 <= len(teams) <= 90:
        problems.append(f"{tf.name}: {len(teams)} teams (about 75 expected)")
    if teams and not 18 <= distractors <= 30:
        problems.append(f"{tf.name}: {distractors} distractor teams (about 20-25 expected)")

    if problems:
        for p in problems:
            print("FAIL", p)
        print(f"{name}: {len(problems)} problem(s)")
        return 1
    print(f"{name}: OK - {len(needs)} towns, {len(teams)} teams, {len(gold)} gold pairs, "
          f"{traps} traps, {distractors} distractor teams, {len(NEED_BANNED)} banned need words, "
          f"{len(local_words)} local names")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
