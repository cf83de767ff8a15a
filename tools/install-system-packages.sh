#!/usr/bin/env bash
# System packages complaintd's tests, demo and fax OCR need, installed only when missing.
#   dovecot-imapd  - the real IMAP server the tests and the demo run on loopback
#   postgresql     - initdb and postgres for the throwaway cluster the PostgreSQL tests start
#   systemd        - systemd-analyze, which verifies the unit file in systemd/ in the tests
#   tesseract-ocr  - OCR of faxed complaints (chi_sim + eng): the fallback when RapidOCR fails
#   fonts-wqy-microhei - the CJK font embedded in the PDF a fax customer is answered with,
#                    the font the tests draw their faxes with, and the report charts' labels
set -euo pipefail
need=()
command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || command -v postgres >/dev/null 2>&1 ||
  need+=(postgresql)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr tesseract-ocr-eng)
ls /usr/share/tesseract-ocr/*/tessdata/chi_sim.traineddata >/dev/null 2>&1 || need+=(tesseract-ocr-chi-sim)
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-packages: need root to install: ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d may refuse to start the system Dovecot or PostgreSQL; that is fine: the tests
# start servers of their own and never use the system services.
apt-get install -y -qq --no-install-recommends "${need[@]}" || apt-get install -y -qq "${need[@]}"
