"""The fixed wording of complaint letters, in Chinese and in English.

Every sentence a letter prints that is not evidence (quotes, messages, rule ids, citations,
names) comes from here, so a Chinese letter is Chinese throughout and an English one English.
Placeholders are ``str.format`` fields filled by ``letters``.
"""

from __future__ import annotations

from typing import Final

__all__ = ["LANGS", "RECIPIENTS", "SEVERITY", "TEXT"]

LANGS: Final = ("zh", "en")
RECIPIENTS: Final = ("platform", "regulator")

SEVERITY: Final[dict[str, dict[str, str]]] = {
    "zh": {"low": "低", "medium": "中", "high": "高", "critical": "严重"},
    "en": {"low": "low", "medium": "medium", "high": "high", "critical": "critical"},
}

TEXT: Final[dict[str, dict[str, str]]] = {
    "zh": {
        "title_platform": "关于违规催收行为的投诉函",
        "title_regulator": "关于{platform}违规催收行为的投诉（举报）函",
        "to_platform": "{platform}（投诉处理部门）",
        "to_regulator": "监管部门",
        "to_label": "致",
        "colon": "：",
        "salutation_platform": "尊敬的{platform}投诉处理部门：",
        "salutation_regulator": "尊敬的监管部门：",
        "from_label": "投诉人",
        "date_label": "日期",
        "name": "姓名",
        "phone": "电话",
        "email": "电子邮箱",
        "user_id": "用户编号",
        "withheld": "（按查阅权限不予显示）",
        "references": "案件信息",
        "case_id": "案件编号",
        "filed_at": "立案日期",
        "platform": "被投诉平台",
        "account_ref": "借款账户参考号",
        "jurisdiction": "适用法域",
        "status": "当前状态",
        "summary": "投诉概要",
        "intro_platform": (
            "本人系贵平台借款人（借款账户参考号：{account_ref}）。贵平台或其委托的催收机构在催收"
            "过程中实施了下列违规行为，现正式提出投诉。"
        ),
        "intro_regulator": (
            "本人系{platform}的借款人（借款账户参考号：{account_ref}）。该平台或其委托的催收机构"
            "在催收过程中实施了下列违规行为，现向贵部门投诉并请求依法处理。"
        ),
        "count": "共发现违规{count}项，发生于{first}至{last}之间，涉及：{categories}。",
        "count_one": "共发现违规1项，发生于{first}，涉及：{categories}。",
        "count_none": "案件中尚未记录具体的违规发现；投诉所涉类别：{categories}。",
        "category_count": "{name}（{count}项）",
        "list_sep": "、",
        "complainant_says": "投诉人陈述：",
        "unanswered_platform": "贵平台应于{respond_by}前答复本投诉，截至本函日期尚未答复。",
        "unanswered_regulator": "该平台应于{respond_by}前答复本投诉，截至本函日期尚未答复。",
        "violations": "违规行为明细",
        "col_no": "序号",
        "col_date": "时间",
        "col_category": "违规类别",
        "col_quote": "原文摘录",
        "col_rule": "违反的规则及依据",
        "col_evidence": "证据文件 SHA-256",
        "item": "第{n}项",
        "severity": "严重程度：{severity}",
        "recorded_time": "（记入案件的时间，原消息时间不可见）",
        "message": "所在消息：",
        "why": "说明：",
        "rule": "规则编号：",
        "basis": "法律及规范依据：",
        "no_basis": "（规则未列明依据）",
        "no_file": "（直接附加于案件，无对应证据文件）",
        "log_quote": "联系记录（编号 {events}），时间 {start} 至 {end}",
        "evidence": "证据文件清单",
        "evidence_intro": ("以下证据文件按内容的 SHA-256 哈希值保存，任何改动都会使哈希值不符。"),
        "col_file": "文件名",
        "col_type": "类型",
        "col_size": "大小（字节）",
        "no_evidence": "本案尚无证据文件。",
        "chain": "记录完整性",
        "chain_text": (
            "本案的全部记录（立案、证据、违规发现及处理进展）以哈希链方式保存，共{count}条，"
            "链末端哈希值为："
        ),
        "chain_verify": (
            "收件方可要求提供本案导出包，并使用 dunguard case verify --expect-head 加上述哈希值"
            "核验其未被篡改。"
        ),
        "chain_empty": "（未提供案件记录）",
        "requests": "投诉请求",
        "req_platform_stop": (
            "立即停止上述违规催收行为，并约束贵平台及所委托的催收机构、催收人员不再实施类似行为；"
        ),
        "req_platform_check": "核查上述事实，依法依规处理相关责任人员及催收机构；",
        "req_third_party": "停止联系本人的通讯录联系人及其他第三方，不得向其披露本人的借款信息；",
        "req_keep": "保存与本人借款账户有关的全部通话录音、短信及催收记录，不得删除；",
        "req_platform_answer": "于{respond_by}前书面答复本投诉，说明核查结果及处理措施。",
        "req_reg_investigate": "依法调查{platform}及其所委托的催收机构的上述行为；",
        "req_reg_stop": "责令其立即停止违规催收，并依法依规予以处理；",
        "req_reg_answer": "督促其于{respond_by}前答复本投诉，并将处理结果告知本人。",
        "closing_text": "以上事实均有所附证据为证，请予核查处理。",
        "regards_1": "此致",
        "regards_2": "敬礼！",
        "signature": "投诉人：{sender}",
        "signature_other": "签署人：{sender}",
        "page": "案件 {case_id}    第 {page} 页",
        "none": "—",
    },
    "en": {
        "title_platform": "Complaint about abusive debt collection",
        "title_regulator": "Complaint about abusive debt collection by {platform}",
        "to_platform": "{platform}, complaints department",
        "to_regulator": "The regulator",
        "to_label": "To",
        "colon": ": ",
        "salutation_platform": "Dear Sir or Madam,",
        "salutation_regulator": "Dear Sir or Madam,",
        "from_label": "From",
        "date_label": "Date",
        "name": "Name",
        "phone": "Phone",
        "email": "E-mail",
        "user_id": "User id",
        "withheld": "(withheld for this reader)",
        "references": "Case details",
        "case_id": "Case number",
        "filed_at": "Filed on",
        "platform": "Platform complained about",
        "account_ref": "Loan account reference",
        "jurisdiction": "Jurisdiction",
        "status": "Current status",
        "summary": "Summary",
        "intro_platform": (
            "I am a borrower of your platform (loan account reference {account_ref}). You, or a "
            "collection agency acting for you, committed the violations listed below while "
            "collecting the debt. I hereby make a formal complaint."
        ),
        "intro_regulator": (
            "I am a borrower of {platform} (loan account reference {account_ref}). The platform, "
            "or a collection agency acting for it, committed the violations listed below while "
            "collecting the debt. I ask you to investigate and act on this complaint."
        ),
        "count": (
            "{count} violations were found, between {first} and {last}, of these kinds: "
            "{categories}."
        ),
        "count_one": "1 violation was found, on {first}, of this kind: {categories}.",
        "count_none": (
            "No individual violation has been recorded in the case yet; the complaint concerns: "
            "{categories}."
        ),
        "category_count": "{name} ({count})",
        "list_sep": "; ",
        "complainant_says": "In the complainant's words: ",
        "unanswered_platform": (
            "You were due to answer this complaint by {respond_by} and, as of the date of this "
            "letter, have not."
        ),
        "unanswered_regulator": (
            "The platform was due to answer this complaint by {respond_by} and, as of the date "
            "of this letter, has not."
        ),
        "violations": "The violations",
        "col_no": "No.",
        "col_date": "Date",
        "col_category": "Kind of violation",
        "col_quote": "Quote",
        "col_rule": "Rule broken and legal basis",
        "col_evidence": "Evidence file SHA-256",
        "item": "Item {n}",
        "severity": "severity: {severity}",
        "recorded_time": "(time recorded in the case; the message's own time is not visible)",
        "message": "In the message: ",
        "why": "Why: ",
        "rule": "Rule id: ",
        "basis": "Legal basis: ",
        "no_basis": "(the rule names no legal basis)",
        "no_file": "(attached to the case directly; no evidence file)",
        "log_quote": "Contact log records {events}, from {start} to {end}",
        "evidence": "Evidence files",
        "evidence_intro": (
            "Each evidence file is stored under the SHA-256 hash of its content; any change to a "
            "file changes its hash."
        ),
        "col_file": "File name",
        "col_type": "Type",
        "col_size": "Size (bytes)",
        "no_evidence": "The case holds no evidence files yet.",
        "chain": "Integrity of the record",
        "chain_text": (
            "Every step of this case (filing, evidence, findings, responses) is kept in a "
            "hash chain of {count} records, whose head hash is:"
        ),
        "chain_verify": (
            "You may ask for the case export and check with 'dunguard case verify --expect-head' "
            "and this hash that it has not been altered."
        ),
        "chain_empty": "(no case records were provided)",
        "requests": "What I ask",
        "req_platform_stop": (
            "Stop the conduct described above at once, and make sure that your staff and any "
            "collection agency acting for you do not repeat it;"
        ),
        "req_platform_check": (
            "Investigate these facts and take action against the staff and agencies responsible;"
        ),
        "req_third_party": (
            "Stop contacting my contacts and any other third party, and disclose nothing about "
            "my loan to them;"
        ),
        "req_keep": (
            "Preserve every call recording, message and collection record about my account, and "
            "delete none of them;"
        ),
        "req_platform_answer": (
            "Answer this complaint in writing by {respond_by}, stating what you found and what "
            "you have done."
        ),
        "req_reg_investigate": (
            "Investigate the conduct above of {platform} and of any collection agency acting "
            "for it;"
        ),
        "req_reg_stop": (
            "Order it to stop the unlawful collection at once, and sanction it as the law provides;"
        ),
        "req_reg_answer": (
            "Require it to answer this complaint by {respond_by} and to inform me of the outcome."
        ),
        "closing_text": (
            "The facts above are supported by the evidence listed. I ask you to examine them and "
            "act on them."
        ),
        "regards_1": "Yours faithfully,",
        "regards_2": "",
        "signature": "{sender}",
        "signature_other": "{sender}",
        "page": "Case {case_id}    page {page}",
        "none": "—",
    },
}
