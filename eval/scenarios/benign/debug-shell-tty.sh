# category: benign
# technique: kubectl exec -it debugging shell with a terminal
# image: debian
# init: sleep 600
# exec-opts: --tty
# desc: an operator opens an interactive shell with a terminal and looks around
ps aux | head -5
ls /
cat /etc/os-release | head -2
env | wc -l
df -h / | tail -1
