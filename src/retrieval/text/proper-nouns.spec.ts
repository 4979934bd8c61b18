import { chineseProperNouns, type ProperNoun } from './proper-nouns';

const show = (nouns: readonly ProperNoun[]) => nouns.map((n) => `${n.word}/${n.kind}`);

describe('Chinese proper nouns from jieba part-of-speech tags', () => {
  it('finds people jieba only knows from its HMM, when they start with a common surname', () => {
    expect(show(chineseProperNouns('神舟十四号航天员乘组由陈冬、刘洋、蔡旭哲组成。'))).toEqual(['陈冬/person', '刘洋/person', '蔡旭哲/person']);
  });

  it('finds places and organisations, joining a bare 有限公司 to the name before it', () => {
    expect(show(chineseProperNouns('东航MU5735航班在广西梧州市藤县坠毁。'))).toEqual(['广西/place', '梧州市/place', '藤县/place']);
    expect(show(chineseProperNouns('比赛由电视广播有限公司主办。'))).toEqual(['电视广播有限公司/organization']);
  });

  it('takes a middle-dot transliteration as a person', () => {
    expect(show(chineseProperNouns('凯尔·内斯夺得金牌。'))).toContain('凯尔·内斯/person');
  });

  it('skips titles in 《》 and dictionary words tagged as names without a surname', () => {
    expect(chineseProperNouns('电影《四海》上映。《白鹿原》是一部小说。')).toEqual([]);
    expect(chineseProperNouns('滑冰运动员们明白比赛的意义。')).toEqual([]);
  });

  it('gives the same answer from its cache', () => {
    const text = '许鞍华和杜琪峰都是香港导演。';
    const first = show(chineseProperNouns(text));
    expect(first).toEqual(expect.arrayContaining(['许鞍华/person', '杜琪峰/person', '香港/place']));
    expect(show(chineseProperNouns(text))).toEqual(first);
  });
});
