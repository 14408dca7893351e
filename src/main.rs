use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = etown::cli::Cli::parse();
    match etown::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("错误：{error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
