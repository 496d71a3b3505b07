/* Length of a task's comm (TASK_COMM_LEN in the kernel), shared by every event that names a process. */
#ifndef TASK_COMM_H
#define TASK_COMM_H

#define COMM_LEN 16

#endif
