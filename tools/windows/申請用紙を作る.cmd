@echo off
rem 募集回の空の申請用紙（outbox\申請用紙.xlsx）を作ります。
chcp 932 > nul
setlocal
call "%~dp0common.cmd" || goto end
"%BANSOU%" form --round "%ROUND_DIR%"
:end
pause
