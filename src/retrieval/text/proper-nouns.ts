import { tagWords } from './jieba.adapter';

/**
 * Proper nouns in Chinese text, read from jieba's part-of-speech tags: what a "谁" (who), "哪里"
 * (where) or "哪家公司" question asks for has no surface pattern, but jieba's dictionary tags known
 * names (`nr`, `nrfg`, transliterated `nrt`), places (`ns`) and organisations (`nt`).
 *
 * The tags alone are not enough: most personal names are not in the dictionary (韩寒, 陈冬, 王海鸰),
 * and jieba-rs tags what its HMM finds as `x`, the same as punctuation. An HMM word of two or three
 * characters that starts with a common surname is counted as a person. A few dictionary words carry
 * a name tag they rarely deserve (滑冰/nr, 明白/nr), so `nr` words need a surname too.
 */
export type ProperNounKind = 'person' | 'place' | 'organization';

export interface ProperNoun {
  word: string;
  kind: ProperNounKind;
}

/** The most common Chinese surnames (together about 85% of people); rarer ones are missed, on purpose, to keep noise down. */
const SURNAMES = new Set(
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤康施牛樊葛邢齐乔伍庞颜倪庄聂章鲁岳翟殷詹耿兰焦俞左柳甘祝包宁舒阮柯纪梅童凌毕霍涂苗盛翁骆蓝辛靳管柴鲍喻祁蒲滕屈饶艾尤穆卓岑洪',
);

const CJK = /^[\p{Script=Han}]+$/u;
/**
 * A transliterated full name is written with a middle dot (安东尼·阿尔巴内斯, 凯尔·内斯), but nothing
 * marks where it starts or ends; the two characters either side of the dot stand for it, enough to
 * tell whether a question already names the same person.
 */
const DOTTED_NAME = /\p{Script=Han}{2}[·・•‧]\p{Script=Han}{2}/gu;
const ORGANIZATION_SUFFIX = /(?:公司|集团|大学|学院|学校|银行|医院|研究所|研究院|委员会|协会|俱乐部|球会)$/;
/** jieba cuts 电视广播有限公司 into 电视广播/nz 有限公司/n: a bare suffix word makes the noun before it an organisation. */
const ORGANIZATION_WORD = /^(?:有限公司|股份有限公司|公司|集团|大学|学院|银行|研究院|协会|俱乐部)$/;
/** Titles of books, films and songs (《人世间》, 《四海》) are not names, whatever jieba tags their words. */
const TITLE = /《[^《》]*》/g;
const PLACE_SUFFIX = /(?:省|市|县|区|镇|乡|村|州|岛)$/;

function kindOf(word: string, tag: string): ProperNounKind | null {
  if (word.length < 2 || !CJK.test(word)) return null;
  switch (tag) {
    case 'nr':
    case 'nrfg':
      return SURNAMES.has(word[0]) ? 'person' : null;
    case 'nrt':
      return word.length >= 3 ? 'person' : null;
    case 'ns':
    case 'nsf':
      return 'place';
    case 'nt':
      return 'organization';
    case 'x':
      if (ORGANIZATION_SUFFIX.test(word)) return 'organization';
      if (PLACE_SUFFIX.test(word) && word.length >= 3) return 'place';
      return word.length <= 3 && SURNAMES.has(word[0]) ? 'person' : null;
    default:
      return null;
  }
}

/**
 * Recently tagged chunk texts. A who/where question tags all its fused candidates (about 150 on
 * rgb_zh: 10 ms at the median, 0.5 ms per 1,000 characters); the candidates of questions on one
 * subject overlap, so a repeated chunk costs a lookup.
 */
const CACHE_SIZE = 4096;
const cache = new Map<string, readonly ProperNoun[]>();
/** The chunker's chunks are at most ~800 Chinese characters; a longer text is tagged only this far, to bound a query's cost. */
const MAX_TAGGED_CHARS = 2000;

export function chineseProperNouns(text: string): readonly ProperNoun[] {
  const hit = cache.get(text);
  if (hit) {
    cache.delete(text); // re-inserted below: the Map's order is the eviction order
    cache.set(text, hit);
    return hit;
  }
  const found = findProperNouns(text.slice(0, MAX_TAGGED_CHARS));
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(text, found);
  return found;
}

function findProperNouns(text: string): ProperNoun[] {
  const found: ProperNoun[] = [];
  const untitled = text.replace(TITLE, '，');
  for (const m of untitled.matchAll(DOTTED_NAME)) found.push({ word: m[0], kind: 'person' });
  const words = tagWords(untitled);
  words.forEach(({ word, tag }, i) => {
    const before = words[i - 1];
    if (ORGANIZATION_WORD.test(word) && before && /^(?:n|x)/.test(before.tag) && CJK.test(before.word)) {
      found.push({ word: before.word + word, kind: 'organization' });
      return;
    }
    const kind = kindOf(word, tag);
    if (kind) found.push({ word, kind });
  });
  return found;
}
