// The console in a real browser against the real server: the walk an operator takes.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ADMIN_KEY, createRandomModel, launchBrowser, SHARED_DATA, shot, startServer } from './support.mjs';

const PDF_ZH = path.join(SHARED_DATA, 'docs', 'pdf', 'pdfjs__issue12823.pdf');

describe('admin console', () => {
  let server;
  let browser;
  let page;
  const state = {};

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('login: a wrong key is refused in words, the right one opens the console in Chinese', async () => {
    await page.goto(server.url);
    await page.getByLabel('API 密钥').fill('zk_wrong_key_wrong_key_wrong_key');
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('alert').filter({ hasText: '密钥无效' }).waitFor();
    await shot(page, '01-login-zh');
    // By keyboard alone: the key field, Enter to log in, then Tab reaches the menu.
    await page.getByLabel('API 密钥').fill('');
    await page.getByLabel('API 密钥').focus();
    await page.keyboard.type(ADMIN_KEY);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: '知识库' }).waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), '跳到正文');
    assert.equal(new URL(page.url()).pathname, '/kb');
    // The key is in the tab's session storage and in no URL.
    assert.equal(await page.evaluate(() => sessionStorage.getItem('zhiku.apiKey')), ADMIN_KEY);
    assert.ok(!page.url().includes(ADMIN_KEY));
  });

  test('knowledge base: create, upload a real PDF, watch it become ready, see its chunks beside the page', async () => {
    await page.getByLabel('名称').fill('浏览器测试库');
    await page.getByRole('button', { name: '新建知识库' }).click();
    await page.getByRole('link', { name: '浏览器测试库' }).click();
    await page.waitForURL(/\/kb\/[0-9a-f-]{36}$/);
    state.kbId = page.url().split('/').pop();
    await page.getByTestId('upload-input').setInputFiles(PDF_ZH);
    const row = page.locator('tr[data-filename="pdfjs__issue12823.pdf"]');
    await row.waitFor();
    await page.locator('tr[data-filename="pdfjs__issue12823.pdf"][data-status="ready"]').waitFor({ timeout: 90_000 });
    // A damaged file fails alone, and says why in the console's language.
    await page.getByTestId('upload-input').setInputFiles(path.join(SHARED_DATA, 'docs', 'pdf', 'pdfjs__bug1020226.pdf'));
    const broken = page.locator('tr[data-filename="pdfjs__bug1020226.pdf"][data-status="failed"]');
    await broken.waitFor({ timeout: 60_000 });
    assert.match(await broken.innerText(), /文件已损坏，无法读取/);
    // Re-ingesting it goes through the queue again and fails again, for the same reason.
    const brokenDoc = async () => (await server.api('GET', `/api/knowledge-bases/${state.kbId}/documents`)).find((d) => d.filename === 'pdfjs__bug1020226.pdf');
    const firstJob = (await brokenDoc()).jobId;
    await broken.getByRole('button', { name: '重新解析' }).click();
    for (let i = 0; i < 600; i++) {
      const doc = await brokenDoc();
      if (doc.jobId !== firstJob && doc.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.notEqual((await brokenDoc()).jobId, firstJob);
    await page.locator('tr[data-filename="pdfjs__bug1020226.pdf"][data-status="failed"]').filter({ hasText: '文件已损坏' }).waitFor();
    await shot(page, '02-knowledge-base-zh');
    // A reload keeps the session and shows the same documents.
    await page.reload();
    await page.locator('tr[data-status="ready"]').waitFor();
    await row.getByRole('link').click();
    await page.getByTestId('highlight').waitFor();
    // The real page, rendered by the server, above its text; the selected chunk's boxes lie on it.
    const picture = page.getByTestId('page-image');
    await picture.waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="page-image"]')?.naturalWidth >= 400);
    const frame = await picture.boundingBox();
    const box = await page.getByTestId('page-box').first().boundingBox();
    assert.ok(frame && box && box.width > 0, 'the selected chunk is drawn on the page');
    assert.ok(box.x >= frame.x - 1 && box.x + box.width <= frame.x + frame.width + 1 && box.y >= frame.y - 1 && box.y + box.height <= frame.y + frame.height + 1);
    await page.getByRole('button', { name: '隐藏页面图像' }).click();
    await picture.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: '显示页面图像' }).click();
    await picture.waitFor();
    // Choosing another chunk moves the highlight to its text in the page pane.
    const chunks = page.locator('.chunk');
    assert.ok((await chunks.count()) >= 2, 'the PDF has several chunks');
    await chunks.nth(1).click();
    const second = (await chunks.nth(1).locator('.chunk-text').innerText()).trim();
    assert.equal((await page.getByTestId('highlight').innerText()).trim(), second);
    await shot(page, '03-document-zh');
  });

  test('ask: a streamed answer whose citation mark opens the cited chunk and its page', async () => {
    await page.getByRole('link', { name: '问答' }).click();
    await page.getByRole('textbox', { name: '问题' }).fill('描述团队的共同目标有什么好处？');
    await page.getByRole('button', { name: '发送' }).click();
    const answer = page.getByTestId('answer').last();
    await answer.locator('button.cite:not([disabled])').first().waitFor({ timeout: 60_000 });
    assert.match(await answer.innerText(), /有利于团队成员理解目标并朝着目标努力/);
    await shot(page, '04-ask-zh');
    await answer.locator('button.cite').first().click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /pdfjs__issue12823\.pdf · 第 1 页/);
    assert.match(await dialog.getByTestId('citation-text').innerText(), /共同目标/);
    await shot(page, '05-citation-zh');
    await dialog.getByRole('link', { name: '在文档中查看' }).click();
    await page.getByTestId('highlight').filter({ hasText: '共同目标' }).waitFor();
    // A follow-up keeps the conversation: it is in the URL, and a reload shows both turns.
    await page.goBack();
    await page.getByTestId('answer').first().waitFor();
    const conversation = new URL(page.url()).search;
    assert.match(conversation, /^\?c=[0-9a-f-]{36}$/);
    await page.getByRole('textbox', { name: '问题' }).fill('知识库简介介绍什么？');
    await page.getByRole('button', { name: '发送' }).click();
    await page.getByTestId('answer').nth(1).locator('.answer-text:not(.caret)').waitFor({ timeout: 60_000 });
    assert.equal(new URL(page.url()).search, conversation);
    await page.reload();
    await page.getByTestId('answer').nth(1).waitFor();
    assert.equal(await page.getByTestId('answer').count(), 2);
    assert.match(await page.locator('.turn-q').nth(1).innerText(), /知识库简介介绍什么/);
  });

  test('write: the task options come from its template; without a model the reason is shown in words', async () => {
    await page.getByRole('link', { name: '写作', exact: true }).click();
    await page.getByRole('tab', { name: '改写' }).click();
    await page.getByLabel('语气').selectOption('formal');
    await page.getByLabel('原文', { exact: true }).fill('我们下周开会讨论预算。');
    await page.getByRole('button', { name: '开始' }).click();
    // With no generative model registered, the server refuses before streaming, and says why.
    const outcome = await Promise.race([
      page.getByRole('alert').waitFor().then(() => 'error'),
      page.getByTestId('write-output').filter({ hasText: /\S/ }).waitFor().then(() => 'text'),
    ]);
    if (outcome === 'error') assert.ok((await page.getByRole('alert').innerText()).length > 10);
    await shot(page, '06-write-zh');
  });

  test('prompts: edit a template into a new version, see the diff, roll back', async () => {
    await page.getByRole('link', { name: '提示词' }).click();
    await page.getByRole('link', { name: 'qa.zh', exact: true }).click();
    await page.getByTestId('preview').first().waitFor();
    assert.match(await page.getByTestId('active-version').innerText(), /v1/);
    await shot(page, '07-prompt-editor-zh');
    const source = page.getByLabel(/模板源文件/);
    await source.fill((await source.inputValue()) + '\n请用简洁的语言回答。\n');
    // The preview follows the unsaved text (POST /api/prompts/preview), not the saved version.
    await page.getByRole('heading', { name: '预览（未保存的修改）' }).waitFor();
    await page.getByTestId('preview').filter({ hasText: '请用简洁的语言回答' }).waitFor();
    await shot(page, '07b-prompt-preview-unsaved-zh');
    await page.getByRole('button', { name: '保存为新版本' }).click();
    await page.getByRole('status').filter({ hasText: 'v2' }).waitFor();
    assert.match(await page.getByTestId('active-version').innerText(), /v2/);
    await page.getByRole('tab', { name: /版本/ }).click();
    await page.getByRole('button', { name: '与上一版比较' }).click();
    await page.getByTestId('diff').locator('.add', { hasText: '请用简洁的语言回答' }).waitFor();
    await shot(page, '08-prompt-versions-zh');
    await page.getByRole('button', { name: '回滚到 v1' }).click();
    await page.getByTestId('active-version').filter({ hasText: 'v1' }).waitFor();
    const served = await server.api('GET', '/api/prompts/qa.zh');
    assert.equal(served.activeVersion, 1);
    assert.equal(served.latestVersion, 2);

    // A company's own variant starts as a copy, and can be deleted (shipped ones cannot).
    page.once('dialog', (d) => void d.accept('qa-hr.zh'));
    await page.getByRole('button', { name: '复制为新模板' }).click();
    await page.waitForURL(/\/prompts\/qa-hr\.zh$/);
    await page.getByTestId('preview').first().waitFor();
    assert.equal((await server.api('GET', '/api/prompts/qa-hr.zh')).task, 'qa');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: '删除', exact: true }).click();
    await page.waitForURL(/\/prompts$/);
    await page.getByRole('link', { name: 'qa.zh', exact: true }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'qa-hr.zh' }).count(), 0);
  });

  test('datasets: import with a row-level report, edit a record, split; promote an answer into it', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-ds-')), 'faq.jsonl');
    const rows = [
      { instruction: '年假有几天？', output: '正式员工每年 15 天带薪年假。' },
      { instruction: '报销需要什么材料？', output: '发票原件和审批单。' },
      { instruction: '几点上班？', output: '早上九点。' },
      { instruction: '没有答案的一行' },
      { instruction: '年假有几天？', output: '正式员工每年 15 天带薪年假。' },
    ];
    fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
    await page.getByRole('link', { name: '数据集' }).click();
    await page.getByTestId('dataset-file').setInputFiles(file);
    await page.getByLabel('数据集名称', { exact: true }).fill('faq');
    await page.getByRole('button', { name: '导入', exact: true }).click();
    const report = page.getByTestId('import-report');
    await report.waitFor();
    assert.match(await report.innerText(), /5 行中导入 3 行/);
    assert.match(await report.getByTestId('rejects').innerText(), /4\s+missing answer|4\s+.*output/);
    await shot(page, '09-datasets-zh');
    await report.getByRole('link', { name: '打开数据集' }).click();
    await page.getByTestId('records').getByRole('row').nth(1).getByRole('button', { name: '编辑' }).click();
    await page.getByLabel('答案（output）').fill('早上九点，弹性半小时。');
    await page.getByRole('dialog').getByRole('button', { name: '保存' }).click();
    await page.getByTestId('records').filter({ hasText: '弹性半小时' }).waitFor();
    await page.getByRole('button', { name: '划分', exact: true }).click();
    await page.getByRole('cell', { name: /^划分/ }).first().waitFor();
    await shot(page, '10-dataset-detail-zh');
    const detail = await server.api('GET', '/api/datasets/faq');
    assert.equal(detail.latestVersion, 3);

    // Promote the earlier answer: the conversation is still in Ask's URL history.
    await page.getByRole('link', { name: '问答' }).click();
    await page.getByRole('textbox', { name: '问题' }).fill('描述团队的共同目标有什么好处？');
    await page.getByRole('button', { name: '发送' }).click();
    await page.getByTestId('answer').last().locator('button.cite:not([disabled])').first().waitFor({ timeout: 60_000 });
    await page.getByTestId('answer').last().getByRole('button', { name: '加入数据集' }).click();
    await page.getByRole('dialog').getByRole('button', { name: '保存为新记录' }).click();
    await page.getByRole('dialog').getByRole('status').filter({ hasText: 'v4' }).waitFor();
    await page.keyboard.press('Escape');
    const records = await server.api('GET', '/api/datasets/faq/records');
    assert.ok(records.records.some((r) => r.instruction === '描述团队的共同目标有什么好处？' && r.sources?.[0]?.title === 'pdfjs__issue12823.pdf'));

    // "Add to a dataset" can start a new one: created empty (v0), the answer makes its v1.
    await page.getByTestId('answer').last().getByRole('button', { name: '加入数据集' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('新建数据集…').click();
    await dialog.getByLabel('新数据集名称').fill('问答精选');
    await dialog.getByRole('button', { name: '新建', exact: true }).click();
    const select = dialog.getByRole('combobox', { name: '数据集' });
    for (let i = 0; i < 100 && (await select.inputValue()) !== '问答精选'; i++) await page.waitForTimeout(100);
    assert.equal(await select.inputValue(), '问答精选');
    await dialog.getByRole('button', { name: '保存为新记录' }).click();
    await dialog.getByRole('status').filter({ hasText: 'v1' }).waitFor();
    await page.keyboard.press('Escape');
    assert.equal((await server.api('GET', `/api/datasets/${encodeURIComponent('问答精选')}/records`)).total, 1);

    // An empty dataset from the Datasets screen opens at version 0, ready for records.
    await page.getByRole('link', { name: '数据集' }).click();
    const form = page.getByTestId('new-dataset');
    await form.getByLabel('新数据集名称').fill('hand-made');
    await form.getByRole('button', { name: '新建', exact: true }).click();
    await page.waitForURL(/\/datasets\/hand-made$/);
    await page.getByRole('cell', { name: '新建（空）' }).waitFor();
    await page.getByText('共 0 条').waitFor();
    await shot(page, '10b-dataset-empty-zh');
  });

  test('models: import a small random checkpoint at INT4 with progress, make it the default, copy the OpenAI call', async () => {
    await createRandomModel(path.join(server.dataDir, 'models', 'random-moe'));
    await page.getByRole('link', { name: '模型与服务' }).click();
    await page.getByRole('combobox', { name: /^检查点文件夹/ }).selectOption('random-moe');
    await page.getByLabel('名称', { exact: true }).fill('tiny-moe');
    await page.getByLabel('位宽').selectOption('4');
    await page.getByRole('button', { name: '开始导入' }).click();
    await page.locator('tr[data-ref="tiny-moe@1"]').waitFor();
    await page.locator('tr[data-ref="tiny-moe@1"][data-status="ready"]').waitFor({ timeout: 120_000 });
    const row = page.locator('tr[data-ref="tiny-moe@1"]');
    assert.match(await row.innerText(), /INT4/);
    await row.getByRole('button', { name: '设为默认' }).click();
    await row.locator('.badge-default').waitFor();
    assert.equal(await row.getByRole('button', { name: '设为默认' }).count(), 0);
    assert.match(await page.getByTestId('curl').innerText(), /\/v1\/chat\/completions[\s\S]*"model": "tiny-moe"/);
    // Measured at import: decode speed shows at once; perplexity after a measurement on a text.
    assert.match(await row.getByTestId('speed').innerText(), /token\/秒/);
    assert.equal((await row.getByTestId('ppl').innerText()).trim(), '—');
    await row.getByRole('button', { name: '测量' }).click();
    await page.getByRole('dialog').getByLabel(/困惑度测试文本/).fill('员工每年享有 15 天带薪年假，入职满一年后开始计算。报销需要发票原件和审批单。');
    await page.getByRole('dialog').getByRole('button', { name: '开始测量' }).click();
    await row.getByTestId('ppl').filter({ hasText: /\d+\.\d\d/ }).waitFor({ timeout: 60_000 });
    const measured = (await server.api('GET', '/api/models')).find((m) => m.ref === 'tiny-moe@1').measured;
    assert.ok(measured.perplexity > 1 && measured.decodeTokensPerS > 0, JSON.stringify(measured));
    await shot(page, '11-models-zh');
  });

  test('search playground: hybrid, vector and lexical side by side with scores', async () => {
    await page.getByRole('link', { name: '检索调试' }).click();
    await page.getByLabel('查询').fill('团队的共同目标');
    await page.getByRole('button', { name: '检索', exact: true }).click();
    for (const mode of ['hybrid', 'vector', 'lexical']) {
      await page.getByTestId(`mode-${mode}`).locator('.hit').first().waitFor();
      assert.match(await page.getByTestId(`mode-${mode}`).locator('.score').first().innerText(), /#1 · \d+\.\d{4}/);
    }
    await shot(page, '12-search-zh');
  });

  test('access: a viewer key limited to one knowledge base, shown once; the audit log records it', async () => {
    await page.getByRole('link', { name: '访问控制' }).click();
    await page.getByLabel('名称', { exact: true }).fill('只读机器人');
    await page.getByLabel('角色').selectOption('viewer');
    await page.getByRole('group', { name: '可访问的知识库' }).getByLabel('浏览器测试库').check();
    await page.getByRole('button', { name: '创建密钥' }).click();
    const viewerKey = (await page.getByTestId('new-key').innerText()).trim();
    assert.match(viewerKey, /^zk_/);
    await page.getByTestId('keys').getByRole('row', { name: /只读机器人/ }).filter({ hasText: '浏览器测试库' }).waitFor();
    await page.getByRole('button', { name: '刷新' }).click();
    await page.getByTestId('audit').getByRole('cell', { name: 'POST /api/keys', exact: true }).first().waitFor();
    await shot(page, '13-access-zh');

    // The viewer's own console: no admin screens, no write buttons, only the granted knowledge base.
    const viewer = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
    await viewer.goto(server.url);
    await viewer.getByLabel('API 密钥').fill(viewerKey);
    await viewer.getByRole('button', { name: '登录' }).click();
    await viewer.getByRole('link', { name: '浏览器测试库' }).waitFor();
    const nav = await viewer.getByRole('navigation').innerText();
    assert.ok(!nav.includes('访问控制') && !nav.includes('模型与服务'), nav);
    assert.equal(await viewer.getByRole('button', { name: '新建知识库' }).count(), 0);
    await viewer.goto(`${server.url}/access`);
    await viewer.getByRole('alert').filter({ hasText: '管理员' }).waitFor();
    await viewer.context().close();

    // Widen the same key's grants to every knowledge base; it holds from the key's next request.
    await page.getByTestId('keys').getByRole('row', { name: /只读机器人/ }).getByRole('button', { name: '修改' }).click();
    await page.getByTestId('key-edit').getByLabel(/全部知识库/).check();
    await shot(page, '13b-access-key-edit-zh');
    await page.getByTestId('key-edit').getByRole('button', { name: '保存' }).click();
    await page.getByTestId('keys').getByRole('row', { name: /只读机器人/ }).getByRole('cell', { name: '全部', exact: true }).waitFor();
    const widened = (await server.api('GET', '/api/keys')).find((k) => k.name === '只读机器人');
    assert.equal(widened.knowledgeBases, 'all');
  });

  test('fine-tune wizard: tiny random model, LoRA, dataset version, INT4, to a deployed version with a live loss chart', async () => {
    await page.getByRole('link', { name: '微调' }).click();
    await page.getByRole('link', { name: '新建微调' }).click();
    await page.getByRole('radio', { name: /tiny-moe@1/ }).check();
    await page.getByRole('button', { name: '下一步' }).click();
    await page.getByLabel('训练步数 (steps)').fill('8');
    await page.getByLabel('批大小 (batchSize)').fill('2');
    await page.getByLabel('序列长度 (seqLen)').fill('64');
    await page.getByText('高级参数').click();
    await page.getByLabel('验证间隔 (evalEvery)').fill('4');
    await page.getByLabel('评估样本数 (evalSamples)').fill('1');
    await page.getByLabel('评估生成长度 (maxNewTokens)').fill('8');
    await shot(page, '15-finetune-params-zh');
    await page.getByRole('button', { name: '下一步' }).click();
    await page.getByRole('combobox', { name: /^数据集/ }).selectOption('faq');
    await page.getByRole('combobox', { name: /^版本/ }).selectOption('3');
    await page.getByRole('button', { name: '下一步' }).click();
    await page.getByLabel('位宽').selectOption('4');
    await page.getByLabel(/新模型名称/).fill('tiny-moe-faq');
    await page.getByRole('button', { name: '下一步' }).click();
    const review = await page.getByTestId('review').innerText();
    assert.match(review, /tiny-moe@1/);
    assert.match(review, /faq v3/);
    assert.match(review, /INT4/);
    await shot(page, '16-finetune-review-zh');
    await page.getByRole('button', { name: '开始微调' }).click();
    await page.waitForURL(/\/finetune\/runs\/[0-9a-f-]{36}$/);
    await page.getByTestId('stages').waitFor();
    // Reloading mid-run re-attaches to the run: its steps come back from the server.
    await page.locator('[data-testid="last-loss"]', { hasText: /\d/ }).waitFor({ timeout: 120_000 });
    await page.reload();
    await page.locator('[data-testid="last-loss"]', { hasText: /\d/ }).waitFor();
    await page.getByTestId('run-status').filter({ hasText: /已完成|失败|已取消/ }).waitFor({ timeout: 300_000 });
    assert.match(await page.getByTestId('run-status').innerText(), /已完成/, await page.locator('.error').allInnerTexts().then((e) => e.join(' ')));
    await page.getByTestId('evaluation').waitFor();
    await page.getByTestId('deployment').filter({ hasText: '已上线' }).waitFor();
    const points = await page.getByTestId('train-line').getAttribute('points');
    assert.equal(points.trim().split(' ').length, 8);
    await shot(page, '17-finetune-run-zh');
    const models = await server.api('GET', '/api/models');
    assert.ok(models.some((m) => m.name === 'tiny-moe-faq' && m.isDefault && m.bits === 4 && m.lineage.datasetVersion));

    // A long run is cancelled from its live view (after a confirmation).
    const long = await server.api('POST', '/api/finetune/runs', { baseModel: 'tiny-moe@1', dataset: 'faq', datasetVersion: 3, method: 'lora', params: { steps: 100000, batchSize: 1, seqLen: 32, evalSamples: 0 } });
    await page.goto(`${server.url}/finetune/runs/${long.id}`);
    await page.locator('[data-testid="last-loss"]', { hasText: /\d/ }).waitFor({ timeout: 120_000 });
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: '取消' }).click();
    await page.getByTestId('run-status').filter({ hasText: '已取消' }).waitFor({ timeout: 60_000 });
    assert.equal((await server.api('GET', `/api/finetune/runs/${long.id}`)).status, 'cancelled');
  });

  test('drafted Q&A: a drafting job over the PDF runs with progress and reports what it kept', async () => {
    await page.getByRole('link', { name: '数据集' }).click();
    await page.getByRole('link', { name: 'faq', exact: true }).click();
    const drafts = page.getByTestId('drafts');
    await drafts.getByRole('combobox', { name: /^知识库/ }).selectOption({ label: '浏览器测试库' });
    await drafts.getByRole('combobox', { name: /^文档/ }).selectOption({ label: 'pdfjs__issue12823.pdf' });
    await drafts.getByLabel('最多使用片段数').fill('2');
    await drafts.getByLabel('每个片段的问答数').fill('1');
    await drafts.getByRole('button', { name: '开始起草' }).click();
    // The tiny random model writes nonsense, so the grounding screen may keep nothing: the report says so.
    await drafts.getByRole('status').filter({ hasText: /已处理 \d+ 个片段/ }).waitFor({ timeout: 120_000 });
    await shot(page, '19-dataset-drafts-zh');
  });

  test('ask with a generative model: the answer streams in and the turn ends without an error', async () => {
    await page.getByRole('link', { name: '问答' }).click();
    await page.getByRole('button', { name: '新对话' }).click().catch(() => undefined);
    await page.getByRole('textbox', { name: '问题' }).fill('团队的共同目标是什么？');
    await page.getByRole('button', { name: '发送' }).click();
    // A fresh /ask has no turns: the one answer on the page is this question's; the caret goes when the stream ends.
    const answer = page.getByTestId('answer');
    await answer.waitFor();
    await answer.locator('.answer-text:not(.caret)').waitFor({ timeout: 120_000 });
    assert.equal(await answer.getByRole('alert').count(), 0, await answer.innerText());
    assert.doesNotMatch(await answer.innerText(), /摘录模式/);
  });

  test('language: the header switch turns every screen to English and the choice survives a reload', async () => {
    await page.getByTestId('lang-switch').click();
    await page.getByRole('link', { name: 'Knowledge bases' }).click();
    await page.getByRole('heading', { name: 'Knowledge bases' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Create knowledge base' }).waitFor();
    await page.getByRole('link', { name: 'Open' }).first().waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    await shot(page, '14-knowledge-bases-en');
    await page.getByTestId('lang-switch').click();
    await page.getByRole('heading', { name: '知识库' }).waitFor();
  });

  test('phone width: the menu folds behind a button and the screens stay readable', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: '菜单' }).click();
    await page.getByRole('link', { name: '问答' }).click();
    await page.getByRole('heading', { name: '知识问答' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no sideways scrolling (${overflow}px too wide)`);
    await shot(page, '18-phone-ask-zh');
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
