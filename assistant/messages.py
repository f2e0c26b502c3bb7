"""Every string the assistant says to people, in both languages, in one place.

The page's title, introduction and example questions are the corpus
profile's (data/profile.toml), not code.
"""

from __future__ import annotations

NOTICES: dict[str, dict[str, str]] = {
    "unreachable": {
        "zh": "暂时无法连接模型，以下是文档原文摘录（抽取式回答）。",
        "en": "The model cannot be reached right now; showing sentences quoted from the document.",
    },
    "fallback": {
        "zh": "本地模型无法加载，以下是文档原文摘录（抽取式回答）。",
        "en": "The local model could not be loaded; showing sentences quoted from the document.",
    },
    "ungrounded": {
        "zh": "模型给出的回答无法在文档中找到依据，已拒绝。",
        "en": "The model's answer could not be traced to the document, so it was withheld.",
    },
    "pruned": {
        "zh": "模型回答中有句子无法在文档中找到依据，已删去。",
        "en": "A sentence of the model's answer could not be traced to the document and was removed.",
    },
    "echo": {
        "zh": "模型的回答只是复述了问题，以下是文档中最相关的原文。",
        "en": "The model's answer only repeated the question; here is the document's most "
              "relevant passage, translated.",
    },
    "other_language": {
        "en": "I answer in Chinese or English; here is the answer in English.",
    },
    "instructions_ignored": {
        "zh": "问题中给助手的指令已被忽略：只根据文档回答问题。",
        "en": "Instructions to the assistant in the question were ignored: I only answer "
              "questions from the documents.",
    },
    "premise": {
        "zh": "问题的前提与文档不符，以下是文档的原话。",
        "en": "The question's premise does not match the document; here is what the document says.",
    },
    "yes_no": {
        "zh": "模型的是非回答与文档原文相反，已按原文更正。",
        "en": "The model's yes/no answer contradicted the document's own sentence and was corrected.",
    },
    "injected": {
        "zh": "模型的回答执行了文档或问题中的指令（或含有问题未给出的链接），已拒绝。",
        "en": "The model's answer followed an instruction from a document or the question (or "
              "gave a link the question did not), so it was withheld.",
    },
}
# A false premise is answered with what the document says instead.
CORRECTION = {
    "zh": "文档的说法与问题的前提不同。文档原文：{sentence}",
    "en": "The document does not support the question's premise. It says: {sentence}",
}
# A yes/no answer corrected by its evidence sentence.
YES_NO = {"zh": {1: "是的。", -1: "不是。"}, "en": {1: "Yes. ", -1: "No. "}}
REFUSAL_TEXT = {
    "zh": "文档没有提到这一点，无法根据文档回答。",
    "en": "The document does not say, so I cannot answer this from it.",
}
EVIDENCE = "依据（文档原文）· Evidence (the document's words):"
CLOSEST = {"zh": "最接近的章节：", "en": "Closest sections:"}
# How an extractive answer introduces a quote whose language is not the asker's.
QUOTED_IN = {"en": "The document says (quoted in {language}): ", "zh": "文档原文（{language}）："}
LANGUAGE_NAMES = {"en": {"zh": "Chinese", "en": "English"}, "zh": {"zh": "中文", "en": "英文"}}

EMPTY_QUESTION = "The question is empty. / 问题为空。"
LONG_QUESTION = ("The question is {n} characters long; the limit is {limit}."
                 " / 问题过长（{n}字），上限为{limit}字。")

# The web chat's own words.
SEARCHING = "🔎 正在检索文档… / Searching the document…"
WRITING = "✍️ 正在生成回答… / Writing the answer…"
WAITING = "⏳ 排队等候模型：前面还有 {n} 个问题 / Waiting for the model: {n} question(s) ahead"
NOT_READY = "⚠️ 助手尚未就绪 / The assistant is not ready: {reason}"
FAILED = ("⚠️ 出错了，请重试或换个问法。 / Something went wrong; please try again or "
          "rephrase the question. ({kind}: {message})")
SOURCES_EMPTY = ('<div class="sources-empty">提问后，这里会显示检索到的段落。<br>'
                 "The passages retrieved for your question appear here.</div>")
NO_SOURCES = ('<div class="sources-empty">没有检索到相关段落。<br>'
              "No passage was retrieved.</div>")
SOURCES_TITLE = "来源 · Sources"
CHAT_LABEL = "对话 · Chat"
CHAT_PLACEHOLDER = "用中文或英文提问 · Ask in Chinese or English"
BOX_PLACEHOLDER = "输入问题… / Type a question…"
SEND, CLEAR = "发送 · Send", "清空 · Clear"
EXAMPLES_LABEL = "示例问题 · Example questions"
GENERATOR_STATUS = "生成方式 · Generator: `{generator}`"
LOADING_STATUS = "⏳ 助手尚未就绪 / Not ready: {reason}"
MACHINE_TRANSLATION = "机器翻译 · Machine translation:"
PASSAGE_TRANSLATION = "整段机器翻译 · Machine translation of the passage:"
ANSWER_SOURCES = "此回答的来源 · Sources of this answer: {marks}"
DOC_FILTER = "检索范围（留空：全部文档）· Search these documents (empty: all)"
EXPORT = "导出对话 · Export (Markdown)"
TAB_CHAT, TAB_DOCS, TAB_SETTINGS = "对话 · Chat", "文档 · Documents", "设置 · Settings"
DOCS_TABLE = ["name", "language", "chunks", "sections", "ingested_at", "embedder", "title"]
UPLOAD_LABEL = "添加或更新文档 (.txt .md .pdf .docx) · Add or update a document"
UPLOAD = "导入 · Ingest"
REMOVE_LABEL = "要移除的文档 · Document to remove"
REMOVE = "移除 · Remove"
REINGEST = "重新导入文档文件夹 · Re-ingest the documents folder"
INGESTED = ("已导入 · Ingested {id}: {added} added, {updated} updated, {unchanged} unchanged, {removed} removed "
            "chunks ({seconds:.1f} s)")
REMOVED = "已移除 · Removed {id} ({removed} chunks)"
REINGESTED = ("已导入 · Ingested {documents} documents: {added} added, {updated} updated, {unchanged} unchanged, "
              "{removed} removed chunks ({seconds:.1f} s)")
LIB_ERROR = "出错 · Error: {message}"
SETTINGS_NOTE = ("服务器设置由环境变量（ASSISTANT_…）和命令行参数决定，此处只读。 · The server's settings "
                 "come from environment variables (ASSISTANT_…) and flags; shown read-only.")
CHOICES_NOTE = ("**本次对话 · This chat**：生成方式、模型和阅读的段落数只改变您自己的对话。 · The generator, "
                "its model and the passages read change your own chat only.")
CHOICE_GENERATOR = "生成方式 · Generator"
CHOICE_MODEL = "模型 · Model (空 = 默认 · empty = configured)"
CHOICE_MODEL_HINT = "local: {local} · openai: {openai}"
CHOICE_TOP_K = "阅读段落数 · Passages read (top-k)"
UNAVAILABLE = ("⚠️ 文档索引暂时无法读取，请稍后再试。 / The document index cannot be read right now; "
               "please try again shortly. ({message})")
# An answer's own sources, opened in the side panel.
OPENED_SOURCES = "此回答引用的段落 · Passages this answer cites"
OPEN_HINT = "点击任一回答，在此查看它引用的段落 · Click an answer to open the passages it cites here"
RENDER = "以提问的语言阅读引文 · Read the cited passages in the question's language"
RENDERING = "⏳ 正在翻译引文… / Translating the cited passages…"
RENDER_NEEDS_MODEL = ("翻译引文需要模型生成器（local 或 openai）。 / Translating passages needs a model "
                      "generator (local or openai).")
RENDER_SAME = "引文已是提问的语言。 / The cited passages are already in the question's language."
RENDER_FAILED = "⚠️ 这段引文未能翻译，请重试。 / This passage could not be translated; try again."
NOTHING_OPENED = "请先提问并点击一个回答。 / Ask a question and click an answer first."
NO_SOURCES_CITED = "这个回答没有引用段落。 / This answer cites no passage."
