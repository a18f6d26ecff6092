"""Every problem a caller of the web API can meet, as an HTTP status and one clear
line in Chinese and English.

A :class:`Refusal` is raised anywhere below the routes; the app turns it into
``{"error": {"code": ..., "message": ...}}`` with its status, never a traceback.
"""

from __future__ import annotations

from typing import Any

#: code -> (HTTP status, Chinese text, English text); ``{name}`` fields filled from the args.
MESSAGES: dict[str, tuple[int, str, str]] = {
    "too_large": (413, "上传内容 {size} 超过 {limit} 的上限；请分批上传，或请管理员调高 --max-upload-mb。",
                  "The upload ({size}) is over the {limit} limit; send it in parts, or ask the "
                  "administrator to raise --max-upload-mb."),
    "too_many_files": (400, "文件数超过 {limit} 个的上限；请按学校分批上传。",
                       "More than {limit} files; send one school at a time."),
    "no_files": (400, "没有收到文件：请选择学校的文件，或一个学校/区文件夹的 .zip。",
                 "No file received: choose a school's files, or one .zip of a school or district "
                 "folder."),
    "not_multipart": (400, "请求须为 multipart/form-data（文件字段），例如 curl -F files=@学校.zip。",
                      "Send multipart/form-data with file fields, e.g. curl -F files=@school.zip."),
    "bad_multipart": (400, "上传数据不完整或格式错误（{reason}）；请重新上传。",
                      "The upload is malformed or incomplete ({reason}); please send it again."),
    "zip_with_files": (400, "压缩包 {name} 须单独上传，不能与其他文件一起上传。",
                       "Send the zip {name} on its own, not together with other files."),
    "bad_zip": (400, "{name} 不是有效的 zip 压缩包（{reason}）。",
                "{name} is not a readable zip archive ({reason})."),
    "encrypted_zip": (400, "压缩包中的 {entry} 已加密；请上传未加密的压缩包。",
                      "{entry} in the zip is encrypted; send an unencrypted zip."),
    "absolute_path": (400, "拒绝：{entry} 是绝对路径；压缩包内只能使用相对路径。",
                      "Refused: {entry} is an absolute path; a zip may hold only relative paths."),
    "parent_path": (400, "拒绝：{entry} 含有“..”，会写到上传文件夹之外。",
                    "Refused: {entry} contains '..' and would be written outside the upload folder."),
    "bad_name": (400, "拒绝：文件名 {entry} 无效（{reason}）。",
                 "Refused: the file name {entry} is not usable ({reason})."),
    "symlink": (400, "拒绝：压缩包中的 {entry} 是符号链接。",
                "Refused: {entry} in the zip is a symbolic link."),
    "device": (400, "拒绝：压缩包中的 {entry} 是设备或特殊文件。",
               "Refused: {entry} in the zip is a device or special file."),
    "nested_zip": (400, "拒绝：压缩包中又有压缩包 {entry}；请解压后只打包一层。",
                   "Refused: {entry} is an archive inside the zip; unpack it and zip one level only."),
    "expands_too_much": (400, "拒绝：压缩包解压后共 {size}，超过上限 {limit}（上传上限的 10 倍）。",
                         "Refused: the zip expands to {size}, over the {limit} limit (10 times the "
                         "upload limit)."),
    "ratio_too_high": (400, "拒绝：{entry} 的压缩比为 {ratio}:1，超过 100:1，疑似压缩炸弹。",
                       "Refused: {entry} has a compression ratio of {ratio}:1, over 100:1 "
                       "(a zip bomb?)."),
    "duplicate_name": (400, "拒绝：上传中有两个同名文件 {entry}。", "Refused: two files are named {entry}."),
    "bad_option": (400, "参数 {name}={value} 无效；可用：{allowed}。",
                   "{name}={value} is not accepted; use one of: {allowed}."),
    "nothing_to_check": (400, "无法检查：{reason}", "Nothing could be checked: {reason}"),
    "token_missing": (401, "需要访问令牌：请在页面输入令牌，或在请求头加 Authorization: Bearer <令牌>。",
                      "A token is needed: enter it on the page, or send Authorization: Bearer <token>."),
    "token_wrong": (401, "访问令牌无效；请向教育局管理员确认令牌。",
                    "The token is not valid; check it with the bureau's administrator."),
    "other_school": (403, "此令牌只能检查学校 {own} 的数据，上传中含有其他学校的数据（{others}），已拒绝，"
                          "未保留任何内容。",
                     "This token may check only school {own}; the upload holds rows of other schools "
                     "({others}) and was refused; nothing was kept."),
    "busy": (503, "服务器正忙（同时最多 {workers} 个检查），请 {retry} 秒后重试。",
             "The server is busy ({workers} checks at a time); try again in {retry} seconds."),
    "timeout": (504, "检查超过 {seconds} 秒的时限，已停止；请分批上传（例如每次一所学校）。",
                "The check took longer than its {seconds} s limit and was stopped; send fewer "
                "schools at a time."),
    "memory": (413, "检查所需内存超过 {limit} 的上限，已停止；请分批上传（例如每次一所学校）。",
               "The check needed more than its {limit} memory limit and was stopped; send fewer "
               "schools at a time."),
    "worker_failed": (500, "检查进程意外退出（{reason}）；请把上传内容交给管理员排查。",
                      "The check stopped unexpectedly ({reason}); please pass the upload to the "
                      "administrator."),
    "no_templates": (501, "此版本没有空白模板功能（compliance template）。",
                     "Blank templates (compliance template) are not available in this version."),
    "unknown_template": (404, "没有名为 {kind} 的模板；可用：{allowed}。",
                         "There is no template {kind}; available: {allowed}."),
    "no_history": (404, "此服务器不保存检查历史；管理员以 compliance serve --history 文件.db 启动后，"
                        "每次检查都会记为一轮，可在此查看。",
                   "This server keeps no history; started with compliance serve --history FILE.db, it "
                   "records every check as a round, shown here."),
    "history_other_school": (403, "此令牌只能查看学校 {own} 的检查历史，不能查看 {asked} 的。",
                             "This token may see only school {own}'s history, not {asked}'s."),
    "history_round_unknown": (404, "检查历史中没有第 {round} 轮（或该轮未检查可查看的学校）；"
                                   "请从历史列表中选择一轮。",
                              "There is no round {round} in the history (or it checked no school you may "
                              "see); choose a round from the history list."),
    "history_failed": (500, "无法读取检查历史（{reason}）；请告知管理员。",
                       "The history could not be read ({reason}); please tell the administrator."),
    "not_found": (404, "没有这个地址：{path}", "No such address: {path}"),
    "method": (405, "{path} 不接受 {method} 请求。", "{path} does not accept {method}."),
}


class Refusal(Exception):
    """A request refused for a reason the caller can act on."""

    def __init__(self, code: str, **args: Any) -> None:
        super().__init__(code)
        self.code = code
        self.args_ = args
        self.status = MESSAGES[code][0]
        #: extra response headers (``Retry-After``)
        self.headers: dict[str, str] = {}

    def message(self, lang: str) -> str:
        """The one-line message in ``lang`` (``zh`` or ``en``)."""
        _, zh, en = MESSAGES[self.code]
        return (zh if lang == "zh" else en).format(**self.args_)


def size_text(n: int) -> str:
    """``n`` bytes for a person: ``512 KB``, ``50 MB``."""
    if n >= 1024 * 1024:
        value = n / (1024 * 1024)
        return f"{value:.0f} MB" if value >= 10 or value == int(value) else f"{value:.1f} MB"
    return f"{max(1, round(n / 1024))} KB"
