@echo off
rem inbox の申請を判定し、結果を outbox に書き出します。
chcp 932 > nul
setlocal
call "%~dp0common.cmd" || goto end
"%BANSOU%" run --round "%ROUND_DIR%"
if not errorlevel 1 start "" "%ROUND_DIR%\outbox"
:end
pause
