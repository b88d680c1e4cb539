#[test]
fn show() {
    let data = std::fs::read(std::env::var("F").unwrap()).unwrap();
    for s in x837::x12::Lexer::new(&data).take(20) {
        match s {
            Ok(s) => println!(
                "{} line {} byte {} {:?}",
                s.index,
                s.line,
                s.byte,
                String::from_utf8_lossy(s.raw())
            ),
            Err(e) => println!("err {e:?}"),
        }
    }
}
