import { extractAnswer, questionKind } from './extractive-answerer';

// Fixtures are real passages (trimmed) from ../shared/data/qa: cmrc2018, rgb_zh, rgb_en.
describe('extractAnswer', () => {
  it('prefers the sentence that holds a candidate answer of the asked kind', () => {
    const chunks = [
      { index: 1, rank: 1, text: 'Alabama quarterback Tua Tagovailoa won the Maxwell Award in 2018.' },
      { index: 2, rank: 2, text: 'The award is named after Robert Maxwell.' },
    ];
    expect(extractAnswer('Who won the Maxwell Award?', chunks, 'en').sentences[0].text).toContain('Tagovailoa');
    const zh = [
      { index: 1, rank: 1, text: '2018年的冠军是甲队。' },
      { index: 2, rank: 2, text: '2019年的冠军是乙队，他们在决赛中获胜。' },
    ];
    expect(extractAnswer('2019年的冠军是哪支球队？', zh, 'zh').sentences[0].text).toContain('乙队');
  });

  it('classifies factoid questions', () => {
    expect(questionKind('When was Diablo 3 released?')).toBe('time');
    expect(questionKind('谁是2017年的冠军？')).toBe('person');
    expect(questionKind('How many people live in Beijing?')).toBe('quantity');
    expect(questionKind('2019年的冠军是哪支球队？')).toBe('which');
  });

  it('tells where-questions apart, as retrieval does', () => {
    expect(questionKind('Super Bowl 2021 location')).toBe('place');
    expect(questionKind('Where was the 2018 Winter Olympics held?')).toBe('place');
    expect(questionKind('霁虹桥的位置是哪里？')).toBe('place');
    expect(questionKind('哪个国家主办了2022年的“中国旅游文化周”？')).toBe('place');
    // 在哪一年 asks for a year, not a place.
    expect(questionKind('刘国勋在哪一年加入民建联？')).toBe('time');
  });

  it('answers a Chinese who-question with the sentence that names a person', () => {
    const chunks = [
      { index: 1, rank: 1, document: 'b78f83d3', text: '2008年度香港小姐竞选\n2008年度香港小姐竞选（第36届）是电视广播有限公司举办的选美活动，在2008年7月19日于香港湾仔香港会议展览中心举行。本年度口号为「一次参加 一生难忘」。这一年的大部份参选佳丽是由5月份的面试实录产生的。她们就是文柏姿，伦紫玄，张舒雅，高海宁，梁倩汶，陈倩扬，姚婷芝，谢静婷，马赛和黄洁婷。另外2位是海外佳丽，分别是梁雅琳(加拿大多伦多)、史宛殷(美国西雅图)。今年佳丽们的年龄介乎20岁至24岁。最年长的佳丽是陈倩扬（1983-）。而最年轻的佳丽是梁雅琳（1987-）。在1983年出生的佳丽有2位，在1984年出生的佳丽有2位，在1985年出生的佳丽有2位，在1986年出生的佳丽有3位，在1987年出生的佳丽有3位。最后八强：3号张舒雅、4号高海宁、5号梁倩汶、6号陈倩扬、7号梁雅琳、8号姚婷芝、11号马赛、12号黄洁婷。最后五强：3号张舒雅、4号高海宁、6号陈倩扬、7号梁雅琳、11号马赛。季军：11号马赛亚军：6号陈倩扬冠军：3号张舒雅泳装最高分数头五名：7号梁雅琳（79分）、6号陈倩扬（77分）、8号姚婷芝（71分）、3号张舒雅（69分）、11号马赛（67分）。' },
      { index: 2, rank: 2, document: 'b78f83d3', text: '于赛果公布前，根据香港小姐官方网站公布的赛果，7号梁雅琳夺得冠军，而马赛及高海宁成双季军，与现场公布的赛果大有出入，引起舆论批评有造马之嫌，而无线电视发言人回应指赛果以直播公布一刻为准，并不排除事件乃网站赛前测试或人为恶作剧有关。' },
    ];
    const answer = extractAnswer('2008年度香港小姐竞选比赛的季军是谁？', chunks, 'zh');
    expect(answer.answer).toContain('马赛及高海宁');
    expect(answer.cited).toContain(2);
  });

  it('still answers a who-question whose answer the name detector misses (a team)', () => {
    // rgb_zh's whole evidence for this question: the margin over the reporter's byline (杨弋) is small.
    const chunks = [
      { index: 1, rank: 1, document: 'f9ee0078', text: 'Feb 12, 2022 ...洛杉矶公羊队以23-20获得第56届超级碗冠军！周日2月13日，美东时间18:30，被誉为“美国春晚”的Super Bowl（超级碗）就要来了！' },
      { index: 2, rank: 2, document: 'bd56d078', text: '记者|杨弋 北京时间2023年2月13日，2023年美国职业橄榄球大联盟（NFL）年度冠军赛（超级碗）在亚利桑那州格伦代尔State Farm体育馆举行。最终，堪萨斯酋长队以38-35战胜费城老鹰队，夺得第57届超级碗冠军。本届超级碗，是不折不扣的强强对话。老鹰队与酋长队分别是本赛季分区联盟国联和美联的常规赛第一，均取得14胜3负的成绩。近五个赛季，酋长队从未缺席美联分区决赛，并三次打入超级碗。2020年超级碗，酋长队战胜旧金山49人队夺冠。' },
      { index: 3, rank: 3, document: '83cc1be3', text: '图片来源：视觉中国 记者｜杨弋 北京时间2023年2月13日，2023年美国职业橄榄球大联盟（NFL）年度冠军赛（超级碗）在亚利桑那州格伦代尔State Farm体育馆举行。最终，堪萨斯酋长队以38-35战胜费城老鹰队，夺得第57届超级碗冠军。本届超级碗，是不折不扣的强强对话。老鹰队与酋长队分别是本赛季分区联盟国联和美联的常规赛第一，均取得14胜3负的成绩。近五个赛季，酋长队从未缺席美联分区决赛，并三次打入超级碗。2020年超级碗，酋长队战胜旧金山49人队夺冠。' },
      { index: 4, rank: 4, document: '4637cdc9', text: 'May 29, 2022 ...在2021-2022赛季欧洲冠军联赛决赛中，皇家马德里1:0击败利物浦夺得冠军。' },
      { index: 5, rank: 5, document: 'e190da01', text: '赛场激斗催生多个“史上第一” 今年是酋长队在四年内第三次打进超级碗，经历过2020年夺冠的甜蜜和2021年失利的苦涩后，他们今年卷土重来，势头很猛。老鹰队则是六年内第二次晋级超级碗，上一次是2018年夺得队史首个超级碗，与球迷欢庆数周，今年肯定也想再尝夺冠滋味。有意思的是，这是五年来首次出现两个分区头号种子双双晋级超级碗的情况，绝对称得上是强强对决。但两队的估值就没有那么旗鼓相当了。在福布斯公布的2022年NFL球队估值榜上，老鹰队以49亿美元排名第10位，高于联盟球队平均估值（44.' },
      { index: 6, rank: 6, document: '9e3bd206', text: '...决赛于2022年5月28日在法国圣但尼的法兰西体育场举行。2022年5月29日，2021-22赛季欧洲冠军联赛决赛，皇家马德里1-0战胜利物浦，队史上第14次夺得欧冠冠军。' },
    ];
    expect(extractAnswer('2022年超级碗冠军是谁', chunks, 'zh').sentences[0].text).toContain('洛杉矶公羊队');
  });

  it('answers an English who-question with a full name, even one that opens the sentence', () => {
    const chunks = [
      { index: 1, rank: 1, document: 'a', text: 'View maps and real-time presidential election results for the 2020 US election. For more information ... Joe Biden wins election to be the 46th US President.' },
      { index: 2, rank: 2, document: 'b', text: 'The 2020 United States presidential election was the 59th quadrennial presidential election, held on Tuesday, November 3, 2020. The Democratic ticket of ...' },
      { index: 3, rank: 3, document: 'c', text: 'Jun 30, 2021 ... The 2020 presidential election was historic in many ways. ... in 2016 and Democratic candidates for the U.S. House received in 2018.' },
      { index: 4, rank: 4, document: 'd', text: 'Jan 28, 2021 ... OFFICIAL 2020 PRESIDENTIAL GENERAL ELECTION RESULTS ... Total Electoral Votes Needed to Win = 270 ... Dario for America (C00697896).' },
    ];
    expect(extractAnswer('Who won the US Presidential Election 2020?', chunks, 'en').answer).toContain('Joe Biden');
  });

  it('answers a where-question with the sentence that names a place', () => {
    const chunks = [
      { index: 1, rank: 1, document: '63cb3c90', text: 'Aug 9, 2021 ... August 9, 2021 | 1:15 PM EDT. What is the location and date for the Super Bowl in 2022? After Super Bowl LV was held in Tampa Bay, ...' },
      { index: 2, rank: 2, document: 'ab6fd868', text: 'Official Super Bowl LVIII Ticket Packages Now Available -- Reserve your spot in Las Vegas for Super Bowl LVIII! On Location is your only source for Official ...' },
      { index: 3, rank: 3, document: '772e598d', text: 'Jan 22, 2021 ... Super Bowl LV will be played in Tampa Bay, Florida, at Raymond James Stadium, home of the Tampa Bay Buccaneers. This is the fifth Super bowl ...' },
      { index: 4, rank: 4, document: 'df66a608', text: 'Feb 7, 2021 ... Super Bowl 2021 will take place at Raymond James Stadium in Tampa, Florida, with three of the four years beyond that also already determined ...' },
      { index: 5, rank: 5, document: '6fbf7f9a', text: 'The NFL unanimously voted at the spring meeting in Chicago to move Super Bowl LV, which will take place in February 2021, from Los Angeles to Tampa, Florida ...' },
      { index: 6, rank: 6, document: '78774d44', text: 'Oct 11, 2021 ... Abdulrazak Gurnah Is Awarded the Nobel Prize in Literature. The Tanzanian writer, the first ... Published Oct. 7, 2021Updated Oct. 11, 2021.' },
    ];
    expect(extractAnswer('Super Bowl 2021 location', chunks, 'en').answer).toContain('Tampa, Florida');
  });

  it('counts a name the analyser splits into parts (Stam1na: stam, 1, na) once', () => {
    const chunks = [
      {
        index: 1,
        rank: 1,
        document: 'stam1na',
        text:
          'Stam1na\nStam1na是芬兰南卡累利阿区莱米的一支本土金属乐队，其主要音乐风格为前卫金属，同时受鞭击金属、死亡金属和另类金属影响。' +
          '乐队成立于1996年，安蒂·徐吕宁（Antti Hyyrynen）担任主唱和吉他手，佩卡·奥尔科宁（Pekka Olkkonen）担任主吉他手。' +
          'Stam1na的首张同名专辑于2005年3月2日发行，在芬兰专辑排行榜名列13位。',
      },
      { index: 2, rank: 2, document: 'other', text: '俄罗斯境内赫哲族多数属于“na nai”一部的赫哲人。' },
    ];
    expect(extractAnswer('Stam1na成立于哪年？', chunks, 'zh').answer).toContain('1996年');
    expect(extractAnswer('Stam1na的主唱是谁？', chunks, 'zh').sentences[0].text).toContain('安蒂·徐吕宁');
  });
  it('credits every sentence of a titled article with its subject, so the attribute asked for decides', () => {
    // cmrc2018's evidence for these questions: an article whose opening only names the fish (trimmed),
    // and for the first one the opening chunk of an unrelated article.
    const article = [
      {
        index: 1,
        rank: 1,
        document: 'c98a8e32',
        text:
          '拉迪氏苦味银汉鱼\n拉迪氏苦味银汉鱼为辐鳍鱼纲银汉鱼目沼银汉鱼科的其中一种。本鱼分布于印尼西里伯斯内陆的淡水溪流中。本鱼体延长，侧扁，背面及腹面外廓为一致之凸状。' +
          '体背、腹部及尾柄上下缘为柠檬黄黄色，体侧榄黄色，体中央至尾鳍基底具一明亮蓝绿色纵带；眼之虹膜黄绿色；第一背鳍黑色，其软条白色至黄色。' +
          '雌鱼体色较淡，且背鳍与臀鳍之鳍条决部延伸。体长约7公分。适水温23~28°C，食活饵，产卵于水草上。卵为黄色，一次产卵20~30粒，卵于水温25°C下约10日孵化。' +
          '以枝角类为饵，约7个月可为成鱼。为观赏用的观赏鱼。FishBase',
      },
    ];
    const other = { index: 2, rank: 2, document: '45db22a6', text: '新西兰鸲鹟\n新西兰鸲鹟（"Petroica australis longipes"）是新西兰鸲鹟科的一种，原住在北岛。牠们曾一度被认为是南岛及斯图尔特岛鸲鹟的亚种，但牠们的线粒体DNA序列显示于更新世就与鸲鹟分开演化，故是属于两个不同的物种。新西兰鸲鹟主要分布在北岛的中部，小部份在岛屿湾、小巴里尔岛及卡皮蒂岛上。在惠灵顿的玛提尤/萨姆斯岛及卡洛里动植物保护区现正重新引入这种鸟类。牠们生活在介乎海平面至树线的天然森林中，尤其是罗汉松属及假山毛榉属的森林。新西兰鸲鹟长18厘米，较为大型，但却比鸲鹟细小些。羽毛呈深灰黑色，腹部及胸部颜色较浅，上身有淡色的斑汶。牠们是两性异形的，雄鸟羽毛较深色，雌鸟体型较大。新西兰鸲鹟像鸲鹟般，是有区域性的，喜欢在地面上觅食。牠们会在木上等待猎物的出现，并将猎物带到树叶堆中、灌木或树干中。牠们主要猎食无脊椎动物，包括蝉、蚯蚓、蜗牛及蜘蛛。牠们亦会吃果实。新西兰鸲鹟会将多余的食物储起，而雄鸟比雌鸟储得更多食物。雄鸟及雌鸟都会偷走牠们配偶的食物，若配偶在时则较少会储起食物。' };
    expect(extractAnswer('拉迪氏苦味银汉鱼虹膜是什么颜色？', [...article, other], 'zh').sentences[0].text).toContain('虹膜黄绿色');
    expect(extractAnswer('拉迪氏苦味银汉鱼适宜的水温是多少度？', article, 'zh').answer).toContain('23~28');
  });
  it('in an article, weighs the type word a question names (什么时期) less than the terms of the attribute', () => {
    // cmrc2018's two best chunks for this question: 这一时期 in passing outscored the sentence that gives the period.
    const chunks = [
      { index: 1, rank: 1, document: '1c24e133', text: '1938年10月的“火星人入侵”事件，原本是一个万圣节玩笑，但却造成了数个城市的混乱。二战时纳粹所进行的宣传，也为魔弹理论提供了很好的例证，魔弹理论在当时的社会环境下，很快成为这一时期主流的传播理论。拉斯韦尔发展了这一理论，他本人反对魔弹理论中将宣传过程简单化的做法，认为宣传不仅仅是通过媒介向受众撒谎以达到控制的目的，而是宣传家将自己的观念和行为进行精心的谋划后，再将其传播出去，这是一个长期的计划，受众需要缓慢的准备过程，传播者会耐心的引入新观念和新意向加以培养，最终形成拉斯韦尔所说的主导或集体符号。这一理论为宣传预设了一个长期和复杂的条件作用过程，他认为一两个极端分子发布的讯息不会造成重大影响。拉斯韦尔的理论否定了“大众传播直接作用于受众”的说法，后来被称为有限效果理论。魔弹理论实际也是在将大众传播对社会所造成的放大，大众传播的力量经过魔弹理论的修饰更被人们所畏惧，于是开始讨论如何控制大众媒体的问题。拉斯韦尔，马森特，李普曼等都据此提出了自己的看法。' },
      { index: 2, rank: 2, document: '1c24e133', text: '魔弹理论\n20世纪20年代，媒介理论家将佛洛依德学说和行为主义结合起来，形成一种新的宣传理论，即魔弹理论。这种理论把媒介对人的刺激看做是魔弹打入大脑，能迅速的被受众所接受，直接作用于受众。也有媒介理论家将媒介内容比较针筒，将这种理论称为皮下注射理论。早期媒介理论家受行为主义影响，认为受众的行为是独立于意识的，他们放弃对心理活动的研究，只观察环境的刺激和受众具体的行为之间的联系。佛洛依德将主导行动的人格分为自我，本我，超我三个部分，宣传理论家借用这一理论，对媒介影响力做出了新的解释：宣传如果能唤起本我并刺激本我压倒自我，那么宣传将会取得最好的社会效应。或者，如果一些宣传手段能使超我把个体的人格推向本我的方向，那么人们阴暗、原始的冲动将变得正常。魔弹理论推断了一些行为主义没能充分证明的东西：外部刺激并非是客观的，而是可以经过宣传家们精心设计的，设计后的外部刺激能使所有受众都按照宣传家所期望的方式行事。比如把正面情绪与自己的国家联系在一起，把负面情绪与敌人联系在一起。结合佛洛依德的学说，宣传家认为普通民众不能抵抗这种力量的影响，因为普通民众缺乏理性的自我调控能力，所以如果媒介形成的刺激和本我一起触发行动，自我和超我将无力阻拦。' },
    ];
    expect(extractAnswer('魔弹理论在什么时期形成？', chunks, 'zh').answer).toContain('20世纪20年代');
  });
  it('keeps sentences of other documents, which lack the subject, behind those of the article', () => {
    // cmrc2018's whole evidence: with the subject weighed like any term, 含义 in a poem won.
    const chunks = [
      { index: 1, rank: 1, document: '39714402', text: '贴扎\n贴扎是一种将胶布贴于皮肤以达到增进或保护肌肉骨骼系统的非侵入性治疗。贴扎技术常用于骨骼肌肉系统伤害的处理，目的为固定关节位置及限制软组织的活动以让软组织在稳定的状况下进行修补。其原理并非给予身体任何外来物质去修补受伤的组织，而是提供组织较好的环境，让身体自然的修补机制去修复。贴扎需要的工具有胶布，人工皮膜，剪刀，黏著喷剂。贴扎所使用的胶布主要分为有弹性和无弹性的。早期是以无弹性的胶布为主，运动贴布为其代表，特性为质地较厚重，不具弹性，黏著力牢靠。但透气性较差，易过敏，固定关节的效果佳，却也相对的限制的关节活动度。使用运动贴布需搭配人工皮膜(underwrap)使用。无弹性的胶布的使用目的:无弹性的胶布的优点:肌能系贴布是一种有弹性的胶布，此类胶布的特性为具有延展性，有和皮肤、肌肉、筋膜等软组织延展性相当的弹性(140%-160%)，并且有相当的防水与透气性，使用时感觉较舒适，且不会对于关节活动造成限制。' },
      { index: 2, rank: 2, document: '04a238a8', text: '霁虹桥由中东铁路局理事、哈尔滨工业大学校长刘哲题字命名。在《滕王阁序》和《阿房宫赋》分别有“虹销雨霁”和“复道行空，不霁何虹”的诗句，表达“雨止云散，长桥如虹”的含义。霁虹桥也是哈尔滨20世纪20年代不多见的以汉语命名的建筑。文化大革命期间，桥名曾被改为“继红桥”。' },
      { index: 3, rank: 3, document: 'ad843a1b', text: '胜利纪念柱\n胜利纪念柱（德语：""）是德国柏林市区内的一座著名纪念性建筑，1864年为庆祝普鲁士在普丹战争中获胜而兴建，到1873年9月2日举行揭幕仪式时，普鲁士又在普奥战争（1866年）和普法战争 (1870–71)中击败了奥地利和法国，给予雕像新的含义。与原先规划不同，后来在所谓统一战争中的胜利，增加了胜利女神维多利亚青铜雕塑，高8.3米，重35吨。胜利纪念柱原本坐落于德意志帝国议会（今德国国会大厦）对面的国王广场（今共和广场，德语：Platz der Republik）上，1938年到1939年由于希特勒世界之都日耳曼尼亚的需要拓宽夏洛滕堡路（今天的六月十七大街），并将胜利纪念柱移至今天的位置（大星角广场）。胜利纪念柱是柏林的一个主要景点，每年4-10月的每天上午9:30到下午6:30开放；从11月到3月，每天上午9:30到下午5:30开放。' },
    ];
    expect(extractAnswer('贴扎的含义是什么？', chunks, 'zh').sentences[0].text).toContain('将胶布贴于皮肤');
  });
  it('answers a question that is only the subject (X是谁) with the article opening that says what X is', () => {
    // cmrc2018's whole evidence for this question.
    const chunks = [
      { index: 1, rank: 1, document: '9ade5c12', text: '拉姆·巴兰·亚达夫\n拉姆·巴兰·亚达夫（尼泊尔语：，），尼泊尔建立共和政体后首任总统，尼泊尔大会党中央总书记。亚达夫年轻时曾于印度加尔各答学医，先后获印度加尔各答医学院的医学学士学位和印度昌迪加尔医学研究所的医学博士学位。毕业后，他一直在尼泊尔南部的德赖地区从医。，而后于1990年代他投身要求恢复民主的“人民运动”，担任沙阿王朝时期卫生部长。2007年，其住所曾遭激进分子以炸弹袭击。在2008年国会大选中，亚达夫以10392张选票击败对手成为Dhanusa区议员。同年5月21日，尼泊尔举行首次总统选举，亚达夫作为尼泊尔大会党候选人，最终在第二轮投票中以308票对282票击败对手拉姆·辛格，成为尼泊尔建立共和政体后首任总统。' },
      { index: 2, rank: 2, document: '9e5fa3d4', text: '俄罗斯境内赫哲族多数属于“na nai”一部的赫哲人，所以俄罗斯使用“那乃族”、“那乃语”来统称境内的赫哲人和奇勒恩人及其语言。从20世纪中叶起，中国和俄罗斯境内的赫哲族均受到了很大程度的汉化和俄化，赫哲语在族内的母语地位被汉语和俄语代替，赫哲语面临濒危。在黑省除了约十数名50岁以上的族人尚能操赫哲语外，该族共1400余人已转用汉语。赫哲语是阿尔泰语系通古斯语族南通古斯语支东南通古斯亚语支赫哲诸语言的一个语言。赫哲诸语言还包括奇勒恩语、奥罗克语和乌尔奇语。另外赫哲语和南通古斯语支的其他语言（奥罗奇语、乌德语、满语、锡伯语、女真语）有近亲关系。1920年代起，在俄罗斯远东地区Valentin Avrorin等语言学家以西里尔字母书写赫哲语。' },
    ];
    expect(extractAnswer('拉姆·巴兰·亚达夫是谁？', chunks, 'zh').sentences[0].text).toContain('首任总统');
  });
});
