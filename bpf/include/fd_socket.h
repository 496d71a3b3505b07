/* From a file descriptor of the current process to its struct socket. Include after vmlinux.h and bpf headers. */
#ifndef FD_SOCKET_H
#define FD_SOCKET_H

/* File type bits of inode->i_mode (macros, so not in BTF). */
#define S_IFMT 00170000
#define S_IFSOCK 0140000

/*
 * The socket behind fd, or NULL when fd is not an open socket. Syscall-level hooks only get an fd;
 * task->files->fdt->fd[fd]->private_data is the struct socket, but only for socket inodes.
 */
static __always_inline struct socket *socket_of_fd(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *file = NULL;

	if (fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return NULL;
	if ((BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return NULL;
	return BPF_CORE_READ(file, private_data);
}

#endif
