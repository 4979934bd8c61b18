import { hybridFusion } from '../rank/hybrid-fusion';
import { expectedAnswerType, holdsAnswerOfType } from './answer-type';

describe('answer types of questions and passages', () => {
  it('reads the asked-for kind from English and Chinese questions', () => {
    expect(expectedAnswerType('When did the bridge open?')).toBe('date');
    expect(expectedAnswerType('What year was the treaty signed')).toBe('date');
    expect(expectedAnswerType('release date of the new console')).toBe('date');
    expect(expectedAnswerType('大桥什么时候通车')).toBe('date');
    expect(expectedAnswerType('新规的实施时间')).toBe('date');
    expect(expectedAnswerType('How much did the museum cost?')).toBe('amount');
    expect(expectedAnswerType('公司去年营收多少')).toBe('amount');
    expect(expectedAnswerType('Who designed the bridge?')).toBe('name');
    expect(expectedAnswerType('Where is the bridge?')).toBe('place');
    expect(expectedAnswerType('Super Bowl 2021 location')).toBe('place');
    expect(expectedAnswerType('Which country won the most medals?')).toBeNull(); // a country as the winner, not a place
    expect(expectedAnswerType('bridge maintenance schedule')).toBeNull();
  });

  it('reads Chinese who and where questions, dates and amounts first', () => {
    expect(expectedAnswerType('谁设计了这座桥')).toBe('name');
    expect(expectedAnswerType('电影《四海》的导演是谁')).toBe('name');
    expect(expectedAnswerType('哪位球员获得了金牌？')).toBe('name');
    expect(expectedAnswerType('2023年世界人工智能大会在哪举办')).toBe('place');
    expect(expectedAnswerType('MU5735航班坠毁地点在哪里')).toBe('place');
    expect(expectedAnswerType('赫哲语在什么地方比较通行？')).toBe('place');
    expect(expectedAnswerType('哪个国家主办了2022年的“中国旅游文化周”？')).toBe('place');
    expect(expectedAnswerType('列卡度·华斯迪是哪国人？')).toBe('place');
    expect(expectedAnswerType('苹果M1芯片首席设计师去了哪家公司')).toBeNull(); // measured: an organisation list did not pay
    expect(expectedAnswerType('范白虎在哪一年割据藤州自立？')).toBe('date'); // 在哪 + 一年 asks for a year
    expect(expectedAnswerType('谁在2022年赢得了多少票')).toBe('amount');
    expect(expectedAnswerType('美国最高法院推翻了哪个堕胎判例')).toBeNull();
  });

  it('finds dates but not a leading dateline', () => {
    expect(holdsAnswerOfType('date', 'The bridge opened to traffic on 3 March 1932.')).toBe(true);
    expect(holdsAnswerOfType('date', 'Traffic started in June 1932 after delays.')).toBe(true);
    expect(holdsAnswerOfType('date', 'Opened on Sept. 14th, 1932 by the mayor.')).toBe(true);
    expect(holdsAnswerOfType('date', '大桥于1932年3月19日正式通车。')).toBe(true);
    expect(holdsAnswerOfType('date', 'Mar 2, 2023 ... The bridge is one of the city landmarks.')).toBe(false);
    expect(holdsAnswerOfType('date', 'The bridge carries 160,000 vehicles a day.')).toBe(false);
  });

  it('finds amounts with a currency or unit', () => {
    expect(holdsAnswerOfType('amount', 'It cost $4.2 million to build.')).toBe(true);
    expect(holdsAnswerOfType('amount', 'Revenue rose 12% on the year.')).toBe(true);
    expect(holdsAnswerOfType('amount', '全年营收为631亿美元，同比下降16%。')).toBe(true);
    expect(holdsAnswerOfType('amount', '在美国工作了30多年')).toBe(true);
    expect(holdsAnswerOfType('amount', 'The museum reopened after the renovation.')).toBe(false);
  });

  it('finds a name the question does not already contain', () => {
    const q = 'Who designed the Harbour Bridge?';
    expect(holdsAnswerOfType('name', 'The arch was designed by John Bradfield and built by Dorman Long.', q)).toBe(true);
    expect(holdsAnswerOfType('name', 'The Harbour Bridge is a steel arch. In March the paint was renewed.', q)).toBe(false);
  });

  it('finds an English place after in/at/near that the question does not name', () => {
    const q = 'Super Bowl 2021 location';
    expect(holdsAnswerOfType('place', 'Super Bowl 2021 will take place at Raymond James Stadium in Tampa, Florida.', q)).toBe(true);
    expect(holdsAnswerOfType('place', 'Tickets for Super Bowl 2021 go on sale in February.', q)).toBe(false);
    expect(holdsAnswerOfType('place', 'The halftime show of the Super Bowl drew 96 million viewers.', q)).toBe(false);
    expect(holdsAnswerOfType('place', 'The bridge stands in Sydney.', 'Where is the bridge in Sydney?')).toBe(false);
  });

  it('finds a Chinese person the question does not name, by part-of-speech tags (real jieba)', () => {
    const q = '电影《四海》的导演是谁';
    expect(holdsAnswerOfType('name', '电影《四海》由韩寒执导，刘昊然、刘浩存主演。', q)).toBe(true);
    expect(holdsAnswerOfType('name', '《四海》是一部公路喜剧电影，讲述了一对年轻人的故事。', q)).toBe(false);
    expect(holdsAnswerOfType('name', '安东尼·阿尔巴内斯宣誓就任澳大利亚总理。', '澳大利亚第31任总理是谁')).toBe(true);
    // Named in the question already: not an answer.
    expect(holdsAnswerOfType('name', '陈冬担任指令长。', '陈冬在神舟十四号上的职务由谁任命')).toBe(false);
    expect(holdsAnswerOfType('name', '陈冬担任指令长，刘洋和蔡旭哲是乘组成员。', '陈冬在神舟十四号上的职务由谁任命')).toBe(true);
    // A place is not a person.
    expect(holdsAnswerOfType('name', '比赛在北京和天津举行。', '谁获得了金牌')).toBe(false);
  });

  it('finds a Chinese place the question does not name', () => {
    const where = 'MU5735航班坠毁地点在哪里';
    expect(holdsAnswerOfType('place', '东航MU5735航班在广西梧州市藤县坠毁。', where)).toBe(true);
    expect(holdsAnswerOfType('place', '东航MU5735航班坠毁事故的调查仍在进行。', where)).toBe(false);
    expect(holdsAnswerOfType('place', '上海是中国的经济中心。', '上海在哪里')).toBe(true); // 中国 is new
    expect(holdsAnswerOfType('place', '上海的夜景很美。', '上海在哪里')).toBe(false);
    expect(holdsAnswerOfType('place', '比赛由电视广播有限公司主办。', '比赛在哪里举行')).toBe(false); // an organisation is not a place
    // English text never holds a Chinese proper noun.
    expect(holdsAnswerOfType('place', 'The flight crashed in the mountains.', where)).toBe(false);
  });

  it('hybrid fusion ranks candidates holding the asked-for kind up, and changes nothing for other questions', () => {
    const text: Record<string, string> = {
      a: 'The bridge is a city landmark and a popular walk.',
      b: 'The bridge opened to traffic on 19 March 1932.',
      c: 'Bridge tolls are collected electronically.',
    };
    const v = ['a', 'c', 'b'];
    const l = ['a', 'c', 'b'];
    expect(hybridFusion('When did the bridge open?', v, l, (k) => text[k]).map((f) => f.key)).toEqual(['b', 'a', 'c']);
    expect(hybridFusion('When did the bridge open?', v, l, (k) => text[k], { answerTypeWeight: 0 }).map((f) => f.key)).toEqual(['a', 'c', 'b']);
    expect(hybridFusion('bridge tolls', v, l, (k) => text[k]).map((f) => f.key)).toEqual(['a', 'c', 'b']);
  });

  it('hybrid fusion ranks up the Chinese passage that names someone for a 谁 question', () => {
    const text: Record<string, string> = {
      a: '冰上舞剧《踏冰逐梦》主演动漫形象设计作品征集全面开启。',
      b: '花滑运动世界冠军张丹、张昊领衔主演冰上舞剧《踏冰逐梦》。',
      c: '冰上舞剧《踏冰逐梦》以花样滑冰为主要表演形式。',
    };
    const v = ['a', 'b', 'c'];
    const l = ['a', 'b', 'c'];
    expect(hybridFusion('《踏冰逐梦》的主演是谁', v, l, (k) => text[k]).map((f) => f.key)).toEqual(['b', 'a', 'c']);
    expect(hybridFusion('《踏冰逐梦》的主演是谁', v, l, (k) => text[k], { answerTypeWeight: 0 }).map((f) => f.key)).toEqual(['a', 'b', 'c']);
  });
});
