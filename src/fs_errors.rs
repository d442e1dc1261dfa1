//! What the file system's errors mean, in the user's words: the system's own text is
//! English ("No space left on device (os error 28)") and says nothing of what to do.
//! Messages about files the program reads or writes put one of these after what it was
//! doing (`无法写入：磁盘已满……`).

use std::io;

/// Why an operation failed and what to do about it, in Chinese. The system's text is
/// kept in brackets for the rarer errors, for whoever helps the office.
pub(crate) fn reason(err: &io::Error) -> String {
    use io::ErrorKind as K;
    match err.kind() {
        // The program's own errors (a pipe refused, a file that is not text) already
        // say what to do.
        K::InvalidInput | K::InvalidData if err.get_ref().is_some() => err.to_string(),
        K::StorageFull => {
            "磁盘已满。请删掉不需要的文件、腾出空间（至少要放得下一份完整的输出）后再运行".into()
        }
        K::QuotaExceeded => "超出了这个用户在磁盘上的配额。请腾出空间或请管理员放宽配额后再运行".into(),
        K::PermissionDenied => {
            "没有权限。请检查这个文件夹是否允许当前用户写入（Linux：ls -ld 查看、chmod u+w 修改；Windows：属性 → 安全），或换一个输出位置".into()
        }
        K::ReadOnlyFilesystem => {
            "所在的磁盘是只读的（光盘、写保护的 U 盘或只读挂载）。请换一个可以写入的位置".into()
        }
        K::NotADirectory => "路径中间有一段是文件而不是文件夹。请检查路径是否写对".into(),
        K::IsADirectory => "这里是一个文件夹，而这里需要的是文件".into(),
        K::NotFound => "找不到这个文件或文件夹（可能刚被移走或删除）".into(),
        K::AlreadyExists => "已经有同名的文件或文件夹".into(),
        K::DirectoryNotEmpty => "文件夹不是空的".into(),
        K::CrossesDevices => "不能跨磁盘移动：输出文件夹和它旁边的临时文件夹必须在同一块磁盘上".into(),
        K::InvalidFilename => "文件名不合法或太长".into(),
        K::ResourceBusy => "文件或文件夹正被别的程序占用。请关掉打开它的程序后再运行".into(),
        K::TooManyLinks => "一个文件的硬链接太多".into(),
        K::Interrupted => "操作被中断，请再运行一次".into(),
        _ => format!("系统报告的错误：{err}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_errors_are_told_in_chinese_with_what_to_do() {
        for kind in [
            io::ErrorKind::StorageFull,
            io::ErrorKind::PermissionDenied,
            io::ErrorKind::ReadOnlyFilesystem,
            io::ErrorKind::NotADirectory,
        ] {
            let text = reason(&io::Error::from(kind));
            assert!(!text.is_ascii() && !text.contains("os error"), "{text}");
        }
        assert!(reason(&io::Error::other("odd")).contains("odd"));
    }
}
