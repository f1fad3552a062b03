@echo off
rem bansou をこのフォルダに入れます（最初に1回）。管理者権限もインターネットもいりません。
chcp 932 > nul
setlocal
cd /d "%~dp0"
where py > nul 2>&1
if errorlevel 1 (
  echo Python のランチャー（py）が見つかりません。
  echo Python 3.12 を「Install for me only」（管理者権限なし）でインストールしてから、もう一度実行してください。
  goto end
)
py -3.12 -c "pass" > nul 2>&1
if errorlevel 1 (
  echo Python 3.12 が見つかりません。このフォルダのパッケージは Python 3.12 用です。
  echo Python 3.12 を「Install for me only」（管理者権限なし）でインストールしてから、もう一度実行してください。
  goto end
)
if not exist ".venv\Scripts\python.exe" (
  echo 準備しています（1分ほどかかります）...
  py -3.12 -m venv .venv
  if errorlevel 1 goto failed
)
".venv\Scripts\python.exe" -m pip install --quiet --no-index --find-links wheels --upgrade bansou
if errorlevel 1 goto failed
".venv\Scripts\bansou.exe" --version
echo 準備ができました。次は「次の募集回を始める.cmd」をダブルクリックしてください。
goto end
:failed
echo 準備できませんでした。上のメッセージを事務局の担当者に伝えてください。
:end
pause
