import type { ProtectionPolicy } from './policy.types';

const GF13 = '国发〔2016〕13号 (State Council opinion on rural left-behind children)';
const OPINION2020 = '关于建立侵害未成年人案件强制报告制度的意见（试行）(2020, nine departments)';
const MPL = '未成年人保护法 (Minors Protection Law, 2020)';
const SEED = '长政办发〔2016〕39号 (Changbai county plan)';

/**
 * Changbai county's policy, version 2016.39-1: the national defaults the county plan rests on.
 * Values a statute leaves open ("at once", "as soon as possible") are the county's working numbers,
 * said so in `source`.
 */
export const CHANGBAI_POLICY: ProtectionPolicy = {
  id: 'changbai',
  version: '2016.39-1',
  zone: 'Asia/Shanghai',
  title: '长白朝鲜族自治县农村留守儿童关爱保护 — 强制报告、应急处置、评估帮扶、监护干预',
  deadlines: {
    reportAccept: { duration: 'PT15M', calendar: 'natural', source: `${GF13} 四(一): 公安机关第一时间受理 — county working value 15 minutes` },
    reportFeedback: { duration: 'P3D', calendar: 'natural', source: `${OPINION2020} 第十二条: 受案后3日内向报告单位反馈案件进展` },
    dispatch: { duration: 'PT30M', calendar: 'natural', source: `${GF13} 四(二): 第一时间出警调查 — county working value 30 minutes` },
    guardianInPlace: { duration: 'P1D', calendar: 'natural', source: `${GF13} 四(二): 责令父母立即返回或委托亲属监护 — county working value 1 day` },
    assessment: { duration: 'P5D', calendar: 'working', source: `${GF13} 四(三) 评估帮扶; ${SEED} 三 — county working value 5 working days` },
    planApproval: { duration: 'P3D', calendar: 'working', source: `${SEED} 五(一) 联席会议 — county working value 3 working days` },
    referralAnswer: { duration: 'P5D', calendar: 'working', source: `${SEED} 四(二)4-5 群团组织、社会力量 — county working value 5 working days` },
    followUpEvery: { duration: 'P30D', calendar: 'natural', source: `${SEED} 四(二)2 上门家访、随访 — county working value monthly` },
    correctionPeriod: { duration: 'P3M', calendar: 'natural', source: `${GF13} 四(四) 劝诫、制止、批评教育、督促改正 — county working value 3 months` },
    guardianshipRefusal: { duration: 'P6M', calendar: 'natural', source: `${GF13} 四(四): 拒不履行监护职责6个月以上; 民法典 Civil Code Art. 36` },
    courtApplication: { duration: 'P10D', calendar: 'working', source: `民法典 Civil Code Art. 36; ${GF13} 四(四) — county working value 10 working days` },
  },
  reportTriggers: [
    { code: 'ALONE_NO_GUARDIAN', zh: '独自居住、无人监护', en: 'living alone without a guardian', source: `${GF13} 四(一); ${MPL} Art. 21` },
    { code: 'MISSING', zh: '失踪', en: 'missing', source: `${GF13} 四(一)` },
    { code: 'GUARDIAN_UNABLE', zh: '监护人丧失监护能力或不履行监护责任', en: 'guardian unable or not performing', source: `${GF13} 四(一)` },
    { code: 'FAMILY_VIOLENCE', zh: '疑似遭受家庭暴力', en: 'suspected family violence', source: `${GF13} 四(一)` },
    { code: 'INJURY_OR_HARM', zh: '疑似遭受意外伤害或不法侵害', en: 'suspected accidental injury or unlawful harm', source: `${GF13} 四(一)` },
    { code: 'S1_PRIVATE_PARTS_INJURY', zh: '未成年人的生殖器官或隐私部位遭受或疑似遭受非正常损伤', en: 'abnormal injury to private parts', source: `${OPINION2020} 第四条(一)` },
    { code: 'S2_GIRL_UNDER14_ASSAULT', zh: '不满十四周岁的女性未成年人遭受或疑似遭受性侵害、怀孕、流产', en: 'girl under 14 sexually assaulted, pregnant or aborting', source: `${OPINION2020} 第四条(二)` },
    { code: 'S3_GIRL_14PLUS_PREGNANT_ASSAULT', zh: '十四周岁以上女性未成年人遭受或疑似遭受性侵害所致怀孕、流产', en: 'girl 14+ pregnant or aborting after sexual assault', source: `${OPINION2020} 第四条(三)` },
    { code: 'S4_SIGNS_OF_ABUSE', zh: '身体存在多处损伤、严重营养不良、意识不清，存在或疑似存在受到家庭暴力、欺凌、虐待、殴打或者被人麻醉等情形', en: 'multiple injuries, severe malnutrition or unconsciousness suggesting violence, bullying or abuse', source: `${OPINION2020} 第四条(四)` },
    { code: 'S5_ABNORMAL_DISABILITY_DEATH', zh: '因自杀、自残、工伤、中毒、被人麻醉、殴打等非正常原因导致伤残、死亡', en: 'disability or death from abnormal causes', source: `${OPINION2020} 第四条(五)` },
    { code: 'S6_ABANDONED', zh: '被遗弃或长期处于无人照料状态', en: 'abandoned, or long without care', source: `${OPINION2020} 第四条(六)` },
    { code: 'S7_MISSING_TRAFFICKED', zh: '发现未成年人来源不明、失踪或者被拐卖、收买', en: 'unknown origin, missing or trafficked', source: `${OPINION2020} 第四条(七)` },
    { code: 'S8_ORGANISED_BEGGING', zh: '发现未成年人被组织乞讨', en: 'organised begging', source: `${OPINION2020} 第四条(八)` },
    { code: 'S9_OTHER_SERIOUS_HARM', zh: '其他严重侵害未成年人身心健康的情形或未成年人正在面临不法侵害危险', en: 'other serious harm or imminent danger', source: `${OPINION2020} 第四条(九)` },
  ],
  obligedReporterRoles: ['school', 'kindergarten', 'hospital', 'village', 'child_director', 'social_worker', 'welfare_institution'],
  temporaryGuardianshipGrounds: [
    { code: 'A92_1_NO_GUARDIAN', zh: '未成年人流浪乞讨或者身份不明，暂时查找不到父母或者其他监护人', en: 'no guardian can be found for now', source: `${MPL} Art. 92(1)` },
    { code: 'A92_2_GUARDIAN_MISSING', zh: '监护人下落不明且无其他人可以担任监护人', en: 'guardian missing and nobody else can guard', source: `${MPL} Art. 92(2)` },
    { code: 'A92_3_GUARDIAN_UNABLE', zh: '监护人因自身客观原因或者因发生自然灾害、事故灾难、公共卫生事件等突发事件不能履行监护职责，导致未成年人监护缺失', en: 'guardian unable through illness, disaster or emergency', source: `${MPL} Art. 92(3)` },
    { code: 'A92_4_GUARDIAN_REFUSES', zh: '监护人拒绝或者怠于履行监护职责，导致未成年人处于无人照料的状态', en: 'guardian refusing or neglecting, child left without care', source: `${MPL} Art. 92(4)` },
    { code: 'A92_5_CHILD_USED_IN_CRIME', zh: '监护人教唆、利用未成年人实施违法犯罪行为，未成年人需要被带离安置', en: 'child used in crime by the guardian', source: `${MPL} Art. 92(5)` },
    { code: 'A92_6_HARMED_BY_GUARDIAN', zh: '未成年人遭受监护人严重伤害或者面临人身安全威胁，需要被紧急安置', en: 'child seriously harmed or threatened by the guardian', source: `${MPL} Art. 92(6)` },
    { code: 'A92_7_OTHER', zh: '法律规定的其他情形', en: 'other cases provided by law', source: `${MPL} Art. 92(7)` },
  ],
  revocationGrounds: [
    { code: 'DANGER_AFTER_ADMONITION', zh: '经教育劝诫后仍将儿童置于危险境地', en: 'danger persisting after admonition', source: `${GF13} 四(四)` },
    { code: 'REFUSAL_SIX_MONTHS', zh: '拒不履行监护职责6个月以上，导致儿童生活无着', en: 'refusing guardianship six months or more, leaving the child without support', source: `${GF13} 四(四); 民法典 Civil Code Art. 36` },
    { code: 'SERIOUS_HARM', zh: '实施家庭暴力、虐待或遗弃，导致儿童身心健康严重受损', en: 'violence, abuse or abandonment causing serious harm', source: `${GF13} 四(四); 民法典 Civil Code Art. 36` },
  ],
  serviceUnits: [
    { role: 'service:education', zh: '县教育局', en: 'county education bureau' },
    { role: 'service:health', zh: '县卫生和计划生育局', en: 'county health and family planning bureau' },
    { role: 'service:womens-federation', zh: '县妇联', en: "county women's federation" },
    { role: 'service:disabled-federation', zh: '县残联', en: "county disabled persons' federation" },
    { role: 'service:youth-league', zh: '团县委', en: 'county youth league' },
    { role: 'service:trade-union', zh: '县总工会', en: 'county trade union' },
    { role: 'service:social-work', zh: '社会工作服务机构', en: 'social work agency' },
  ],
  school: {
    reachGuardian: { duration: 'PT4H', calendar: 'natural', source: `${SEED} 四(二)3: 及时了解无故旷课农村留守儿童情况 — county working value 4 hours` },
    dropoutAfterSchoolDays: 20,
    persuasionReminderEvery: { duration: 'P7D', calendar: 'natural', source: `${SEED} 四(二)3 劝返复学; 控辍保学 monthly rhythm — county working value weekly` },
    failedVisitsBeforeReport: 3,
    persuasionPeriod: { duration: 'P30D', calendar: 'natural', source: `${SEED} 四(二)3: 劝返无效的，应书面报告县教育行政部门和乡镇政府 — county working value 30 days` },
    writtenReportAck: { duration: 'P3D', calendar: 'working', source: `${SEED} 四(二)3 — county working value 3 working days` },
    guardianOrderCompliance: { duration: 'P15D', calendar: 'natural', source: `${MPL} Art. 83: 教育行政部门责令父母或者其他监护人将其送入学校 — county working value 15 days` },
  },
  registry: {
    quarterlyReturnDay: 20,
    reminderBefore: { duration: 'P7D', calendar: 'natural', source: `${SEED} 四(一) — county working value: a reminder a week before` },
    yearlySummaryDue: { month: 12, day: 15, source: `${SEED} 五(三): 每年12月中旬报送至联席会议办公室` },
    discrepancyAnswer: { duration: 'P10D', calendar: 'working', source: `${SEED} 四(一): 公安机关核实户口登记等信息并反馈 — county working value 10 working days` },
    policeVerification: { duration: 'P10D', calendar: 'working', source: `${SEED} 四(一) — county working value 10 working days` },
    keyChildVisitEvery: { duration: 'P30D', calendar: 'natural', source: `${SEED} 四(二)2: 上门家访、驻村干部探访、社工随访 — county working value monthly` },
    livingAloneUnder: 16,
    unattendedUnder: 8,
  },
  escalation: {
    reportAccept: ['county-psb', 'joint-office'],
    reportFeedback: ['county-psb', 'procuratorate'],
    assessment: ['county-civil-affairs', 'joint-office'],
    guardianInPlace: ['county-psb', 'county-civil-affairs'],
    referralAnswer: ['county-civil-affairs'],
    courtApplication: ['county-civil-affairs', 'joint-office'],
    reachGuardian: ['school', 'township-government'],
    writtenReportAck: ['county-education', 'joint-office'],
    guardianOrderCompliance: ['county-education', 'township-government'],
    quarterlyReturn: ['county-civil-affairs', 'joint-office'],
    yearlySummary: ['joint-office'],
    policeVerification: ['county-psb', 'county-civil-affairs'],
  },
};
