from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .context_processors import tasks_for
from .forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request):
    tasks = tasks_for(request.user)
    return render(request, "accounts/home.html", {"tasks": tasks[:10], "task_count": len(tasks)})


@login_required
def tasks(request):
    return render(request, "accounts/tasks.html", {"tasks": tasks_for(request.user)})
