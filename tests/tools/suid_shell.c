/*
 * suid_shell: installed setuid-root in a test rootfs, it plays the classic
 * "SUID backdoor": an unprivileged container user runs it and gets a root
 * shell. It takes the full root identity (real, effective, saved) when the
 * container's bounding set allows it and then executes /bin/sh, so the
 * recorder sees an exec whose uid changes across the exec (the setuid one)
 * and a root shell below it.
 *
 *   suid_shell [-c COMMAND]   run COMMAND (or an interactive sh) as root
 */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	/* Best effort: with CAP_SETUID in the bounding set this also makes the
	 * real uid 0; without it euid is already 0 from the setuid bit. */
	if (setresgid(0, 0, 0) < 0)
		perror("suid_shell: setresgid");
	if (setresuid(0, 0, 0) < 0)
		perror("suid_shell: setresuid");
	if (argc == 3 && argv[1][0] == '-' && argv[1][1] == 'c' && !argv[1][2])
		execl("/bin/sh", "sh", "-c", argv[2], (char *)NULL);
	else
		execl("/bin/sh", "sh", (char *)NULL);
	perror("suid_shell: exec /bin/sh");
	return 127;
}
